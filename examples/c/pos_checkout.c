/*
 * A point-of-sale flow over libwarranty, in plain C99:
 *
 *   1. load the store's warranty catalog into an engine (once, at start-up);
 *   2. ring up a sale and resolve which policy covers each line;
 *   3. a customer comes back with a failed TV: check coverage for the failure;
 *   4. prepare the replacement decision for the claim (carry-over of the remaining time);
 *   5. validate the warranty claim and submit it (sales staff may submit, never approve);
 *   6. send the whole claim desk's day as one NDJSON batch.
 *
 * Build (installed):  cc pos_checkout.c $(pkg-config --cflags --libs warranty)
 * Build (in tree):    make c-example
 * Every request and response is PROTOCOL.md JSON; this file only prints a few fields.
 */
#include "warranty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the string value of the first `"key":"…"` in `json` into `out` ("?" when absent).
 * Enough for printing; a real host would use its JSON library. */
static const char *field(const char *json, const char *key, char *out, size_t cap) {
    char pattern[64];
    const char *at, *end;
    size_t n;
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    at = json ? strstr(json, pattern) : NULL;
    if (at == NULL || cap < 2) {
        snprintf(out, cap, "?");
        return out;
    }
    at += strlen(pattern);
    if (*at == '"') {
        at++;
        end = strchr(at, '"');
    } else {
        end = at + strcspn(at, ",}");
    }
    n = end ? (size_t)(end - at) : 0;
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(out, at, n);
    out[n] = '\0';
    return out;
}

/* Sends one request; prints the error and returns NULL when the answer is not ok. */
static char *ask(wty_engine *engine, const char *request) {
    char *response = NULL;
    wty_status status = wty_call(engine, request, &response);
    if (status != WTY_OK) {
        fprintf(stderr, "request refused (status %d): %s\n", (int)status,
                response ? response : "(no response)");
        wty_string_free(response);
        return NULL;
    }
    return response;
}

static const char *CATALOG =
    "{\"op\":\"load_catalog\",\"name\":\"store\",\"policies\":["
    "{\"id\":\"TV-2Y\",\"name\":\"Televisions, 2 years\",\"duration\":{\"value\":2,\"unit\":"
    "\"years\"},\"replacement\":\"carry_over\",\"covers\":[{\"product_type\":\"Televisions\"}],"
    "\"reasons\":[{\"id\":\"DEFECT\",\"provides_coverage\":true},{\"id\":\"DROP\","
    "\"provides_coverage\":false}]},"
    "{\"id\":\"OLED-3Y\",\"name\":\"OLED panels, 3 years\",\"duration\":{\"value\":3,\"unit\":"
    "\"years\"},\"replacement\":\"carry_over\",\"covers\":[{\"product\":\"OLED-55\"}],"
    "\"reasons\":[{\"id\":\"DEFECT\",\"provides_coverage\":true}]},"
    "{\"id\":\"AUDIO-1Y\",\"name\":\"Audio, 1 year\",\"duration\":{\"value\":1,\"unit\":"
    "\"years\"},\"covers\":[{\"brand\":\"Sony\"}]}]}";

int main(void) {
    static const char *sale[][2] = {
        {"OLED-55", "{\"product\":\"OLED-55\",\"product_type\":\"Televisions\",\"brand\":\"LG\"}"},
        {"PH-43", "{\"product\":\"PH-43\",\"product_type\":\"Televisions\",\"brand\":\"Philips\"}"},
        {"A7", "{\"product\":\"A7\",\"brand\":\"Sony\"}"},
        {"CABLE", "{\"product\":\"HDMI-2M\",\"brand\":\"NoName\"}"},
    };
    char request[1024], a[64], b[64], c[200];
    char *r, *batch = NULL;
    size_t i;
    int failures = 0;
    wty_engine *engine = wty_engine_new();
    if (engine == NULL) {
        return 1;
    }
    printf("libwarranty %s (header %s)\n", wty_version(), WTY_VERSION);

    /* 1. Start-up: the catalog is loaded once. */
    r = ask(engine, CATALOG);
    failures += r == NULL;
    printf("1. catalog loaded: %s policies\n", field(r, "policies", a, sizeof a));
    wty_string_free(r);

    /* 2. Checkout: which policy covers each line, and until when. */
    printf("2. sale at 2025-11-28 11:30 (Europe/Nicosia)\n");
    for (i = 0; i < sizeof sale / sizeof sale[0]; i++) {
        snprintf(request, sizeof request,
                 "{\"op\":\"resolve\",\"catalog\":\"store\",\"item\":%s,"
                 "\"sold_at\":\"2025-11-28T11:30:00+02:00\",\"zone\":\"Europe/Nicosia\"}",
                 sale[i][1]);
        r = ask(engine, request);
        failures += r == NULL;
        printf("   %-8s %-12s policy %-8s until %s\n", sale[i][0],
               field(r, "outcome", a, sizeof a), field(r, "policy", b, sizeof b),
               field(r, "end", c, sizeof c));
        wty_string_free(r);
    }

    /* 3. The TV fails; is the failure covered? (policy inline, as a claim desk would send) */
    r = ask(engine,
            "{\"op\":\"coverage\",\"policy\":{\"id\":\"TV-2Y\",\"duration\":{\"value\":2,"
            "\"unit\":\"years\"},\"replacement\":\"carry_over\",\"reasons\":[{\"id\":\"DEFECT\","
            "\"provides_coverage\":true},{\"id\":\"DROP\",\"provides_coverage\":false}]},"
            "\"warranty\":{\"start\":\"2025-11-28T11:30:00+02:00\"},"
            "\"as_of\":\"2026-11-20T10:00:00+02:00\",\"reason\":\"DEFECT\","
            "\"zone\":\"Europe/Nicosia\"}");
    failures += r == NULL;
    printf("3. PH-43 failure (DEFECT): %s, %s days left\n     %s\n",
           field(r, "outcome", a, sizeof a), field(r, "remaining_days", b, sizeof b),
           field(r, "message", c, sizeof c));
    wty_string_free(r);

    /* 4. The claim: the set is replaced; the new one carries over the remaining time. */
    r = ask(engine,
            "{\"op\":\"replace\",\"policy\":{\"id\":\"TV-2Y\",\"duration\":{\"value\":2,"
            "\"unit\":\"years\"},\"replacement\":\"carry_over\",\"reasons\":[{\"id\":\"DEFECT\","
            "\"provides_coverage\":true}]},\"original\":{\"start\":"
            "\"2025-11-28T11:30:00+02:00\"},\"requested_at\":\"2026-11-20T10:00:00+02:00\","
            "\"issued_at\":\"2026-11-23T16:00:00+02:00\",\"reason\":\"DEFECT\","
            "\"zone\":\"Europe/Nicosia\"}");
    failures += r == NULL;
    printf("4. replacement: mode %s, outcome %s, new warranty ends %s\n",
           field(r, "mode", a, sizeof a), field(r, "outcome", b, sizeof b),
           field(r, "end", c, sizeof c));
    wty_string_free(r);

    /* 5. The claim: validated (every finding at once), then submitted by the counter. */
    r = ask(engine,
            "{\"op\":\"validate_claim\",\"as_of\":\"2026-11-23T17:00:00+02:00\","
            "\"zone\":\"Europe/Nicosia\",\"claim\":{\"dealer\":\"NIC-01\",\"workshop\":\"SHOP\","
            "\"dms_claim_number\":\"POS-2026-118\",\"reference_date\":\"2026-11-23\","
            "\"serial\":\"PH43-0099812\",\"failure_date\":\"2026-11-20\",\"warranty_type\":\"A\","
            "\"failure\":{\"component\":\"PANEL\",\"failure_code\":\"NO_PICTURE\"},"
            "\"lines\":[{\"category\":\"other\",\"quantity\":\"1\",\"amount\":\"429.00\","
            "\"currency\":\"EUR\",\"description\":\"replacement set\"}],\"total\":\"429.00\","
            "\"evidence\":[{\"kind\":\"pos_invoice\",\"reference\":\"R-2025-11-28-0042\"}],"
            "\"reason\":\"DEFECT\",\"policy\":{\"id\":\"TV-2Y\",\"duration\":{\"value\":2,"
            "\"unit\":\"years\"},\"reasons\":[{\"id\":\"DEFECT\",\"provides_coverage\":true}]},"
            "\"warranty\":{\"start\":\"2025-11-28T11:30:00+02:00\"}}}");
    failures += r == NULL;
    printf("5. claim POS-2026-118: validation %s\n", field(r, "outcome", a, sizeof a));
    wty_string_free(r);
    r = ask(engine,
            "{\"op\":\"transition_claim\",\"state\":{\"claim\":\"POS-2026-118\","
            "\"status\":\"draft\",\"validation\":\"accept\"},\"action\":\"submit\","
            "\"actor\":{\"id\":\"clerk-2\",\"role\":\"sales_staff\"},"
            "\"at\":\"2026-11-23T17:01:00+02:00\"}");
    failures += r == NULL;
    printf("   submitted by clerk-2: now %s, audit hash %.16s...\n", field(r, "status", a, sizeof a),
           field(r, "hash", b, sizeof b));
    wty_string_free(r);
    {
        char *refused = NULL;
        wty_status st = wty_call(engine,
                                 "{\"op\":\"transition_claim\",\"state\":{\"claim\":\"POS-2026-118\","
                                 "\"status\":\"submitted\",\"validation\":\"accept\"},\"action\":"
                                 "\"approve\",\"actor\":{\"id\":\"clerk-2\",\"role\":\"sales_staff\"},"
                                 "\"at\":\"2026-11-23T17:02:00+02:00\"}",
                                 &refused);
        failures += st != WTY_INVALID; /* the counter may never approve */
        printf("   clerk-2 tries to approve: %s\n", field(refused, "message", c, sizeof c));
        wty_string_free(refused);
    }

    /* 6. A batch: one NDJSON line per request, one response line each. */
    if (wty_call_batch(engine,
                       "{\"op\":\"list_catalogs\"}\n{\"op\":\"version\"}\n{\"op\":\"nope\"}\n",
                       &batch) != WTY_INVALID) {
        failures++; /* the third line is refused on purpose */
    }
    printf("6. batch answers:\n%s", batch ? batch : "(none)\n");
    wty_string_free(batch);

    /* 7. Sync: the sale registers with the manufacturer through the engine's outbox. The
     *    library does no I/O: the host sends the request and reports the answer, storing
     *    each answer's "persist" record first (docs/sync.md). */
    r = ask(engine, "{\"op\":\"outbox_create\",\"outbox\":\"pos\",\"seed\":7,\"config\":"
                    "{\"partners\":{\"product_code\":{\"base_path\":\"https://registry.example\","
                    "\"routes\":{\"register_warranty\":{\"method\":\"POST\",\"path\":"
                    "\"/individual-customers/warranty/with-product-code\"}}}}}}");
    failures += r == NULL;
    wty_string_free(r);
    r = ask(engine,
            "{\"op\":\"activate_sale\",\"outbox\":\"pos\",\"catalog\":\"store\","
            "\"config\":{\"product_code\":true},\"zone\":\"Europe/Nicosia\","
            "\"now\":\"2025-11-28T11:31:00+02:00\",\"sale\":{\"store\":\"NIC-01\","
            "\"order_id\":\"R-2025-11-28-0042\",\"sold_at\":\"2025-11-28T11:30:00+02:00\","
            "\"customer\":{\"first_name\":\"Helen\",\"last_name\":\"Clarke\","
            "\"email\":\"helen@example.com\",\"phone\":\"07911 123456\",\"country\":\"GB\"},"
            "\"lines\":[{\"line_id\":\"1\",\"item\":{\"product\":\"OLED-55\","
            "\"product_type\":\"Televisions\",\"brand\":\"LG\"},\"price\":\"1899.00\","
            "\"serial\":\"LG55-7781\"}]}}");
    failures += r == NULL;
    printf("7. sale activated: line 1 %s until %s\n", field(r, "outcome", a, sizeof a),
           field(r, "end", c, sizeof c));
    wty_string_free(r);
    r = ask(engine, "{\"op\":\"outbox_poll_transmit\",\"outbox\":\"pos\","
                    "\"now\":\"2025-11-28T11:31:00+02:00\"}");
    failures += r == NULL;
    printf("   send: %s %s (Idempotency-Key %s)\n", field(r, "method", a, sizeof a),
           field(r, "path", c, sizeof c), field(r, "idempotency_key", b, sizeof b));
    wty_string_free(r);
    r = ask(engine, "{\"op\":\"outbox_handle_response\",\"outbox\":\"pos\",\"id\":1,"
                    "\"status\":201,\"now\":\"2025-11-28T11:31:01+02:00\"}");
    failures += r == NULL;
    printf("   partner answered 201: message %s\n", field(r, "state", a, sizeof a));
    wty_string_free(r);

    wty_engine_free(engine);
    return failures == 0 ? 0 : 1;
}

/*
 * C tests of libwarranty through include/warranty.h: a small harness, no framework.
 *
 * usage: test_ffi MANIFEST NDJSON NDJSON_CLI
 *   MANIFEST   lines "REQ_FILE CLI_FILE NAME" (scripts/ffi_vectors.py)
 *   NDJSON     every vector request, one per line
 *   NDJSON_CLI what `wty call --ndjson` printed for NDJSON
 *
 * Prints one line per failed check and closes with "N passed, N failed".
 * Built with -std=c99 -Wall -Wextra -Werror -pedantic, run plain, under ASan+UBSan and under
 * valgrind by `make c-test`.
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r, pthreads */

#include "warranty.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0;
static int failed = 0;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (cond) {                                                                            \
            passed++;                                                                          \
        } else {                                                                               \
            failed++;                                                                          \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                        \
            printf(__VA_ARGS__);                                                               \
            printf("\n");                                                                      \
        }                                                                                      \
    } while (0)

/* Reads a whole file into a NUL-terminated buffer (caller frees); NULL on failure. */
static char *read_file(const char *path, size_t *len_out) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        if (cap - len < 4096) {
            char *bigger;
            cap = cap ? cap * 2 : 8192;
            bigger = (char *)realloc(buf, cap);
            if (bigger == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    fclose(f);
    buf[len] = '\0';
    if (len_out) {
        *len_out = len;
    }
    return buf;
}

static int starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* --- vectors: every request through wty_call gives the CLI's bytes ----------------------- */

static void test_vectors(const char *manifest_path) {
    char *manifest = read_file(manifest_path, NULL);
    char *line, *save = NULL;
    int count = 0;
    CHECK(manifest != NULL, "cannot read %s", manifest_path);
    if (manifest == NULL) {
        return;
    }
    for (line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char req_path[1024], cli_path[1024], name[512];
        char *req, *cli, *resp = NULL;
        size_t cli_len = 0;
        wty_engine *engine;
        wty_status st;
        if (sscanf(line, "%1023s %1023s %511s", req_path, cli_path, name) != 3) {
            continue;
        }
        req = read_file(req_path, NULL);
        cli = read_file(cli_path, &cli_len);
        CHECK(req != NULL && cli != NULL, "%s: cannot read its files", name);
        if (req == NULL || cli == NULL) {
            free(req);
            free(cli);
            continue;
        }
        if (cli_len > 0 && cli[cli_len - 1] == '\n') {
            cli[--cli_len] = '\0'; /* the CLI ends its output with a newline */
        }
        engine = wty_engine_new();
        st = wty_call(engine, req, &resp);
        CHECK(resp != NULL && strcmp(resp, cli) == 0, "%s: wty_call\n  got %s\n  cli %s", name,
              resp ? resp : "(null)", cli);
        CHECK(st == (starts_with(cli, "{\"ok\":true") ? WTY_OK : WTY_INVALID),
              "%s: status %d does not match the response", name, (int)st);
        wty_string_free(resp);
        /* The one-shot call answers the same. */
        resp = NULL;
        st = wty_call_once(req, &resp);
        CHECK(resp != NULL && strcmp(resp, cli) == 0, "%s: wty_call_once differs", name);
        wty_string_free(resp);
        wty_engine_free(engine);
        free(req);
        free(cli);
        count++;
    }
    CHECK(count > 0, "no vectors in %s", manifest_path);
    printf("vectors: %d compared with the CLI\n", count);
    free(manifest);
}

static void test_batch(const char *ndjson_path, const char *cli_path) {
    char *nd = read_file(ndjson_path, NULL);
    char *cli = read_file(cli_path, NULL);
    char *resp = NULL;
    wty_engine *engine = wty_engine_new();
    wty_status st;
    CHECK(nd != NULL && cli != NULL, "cannot read %s or %s", ndjson_path, cli_path);
    if (nd != NULL && cli != NULL) {
        st = wty_call_batch(engine, nd, &resp);
        CHECK(resp != NULL && strcmp(resp, cli) == 0,
              "wty_call_batch differs from `wty call --ndjson`");
        CHECK(st == (strstr(cli, "{\"ok\":false") ? WTY_INVALID : WTY_OK),
              "batch status %d", (int)st);
        wty_string_free(resp);
    }
    /* Empty and blank input: an empty answer. */
    resp = NULL;
    st = wty_call_batch(engine, "\n  \n", &resp);
    CHECK(st == WTY_OK && resp != NULL && resp[0] == '\0', "blank batch: status %d", (int)st);
    wty_string_free(resp);
    wty_engine_free(engine);
    free(nd);
    free(cli);
}

/* --- arguments, bytes and sizes ------------------------------------------------------------ */

static void test_version(void) {
    const char *v = wty_version();
    char expect[64];
    CHECK(v != NULL && strcmp(v, WTY_VERSION) == 0, "wty_version() %s != WTY_VERSION %s",
          v ? v : "(null)", WTY_VERSION);
    snprintf(expect, sizeof expect, "%d.%d.%d", WTY_VERSION_MAJOR, WTY_VERSION_MINOR,
             WTY_VERSION_PATCH);
    CHECK(strcmp(expect, WTY_VERSION) == 0, "version macros %s != %s", expect, WTY_VERSION);
}

static void test_null_arguments(void) {
    wty_engine *engine = wty_engine_new();
    char *resp = (char *)"sentinel";
    CHECK(engine != NULL, "wty_engine_new returned NULL");
    CHECK(wty_call(NULL, "{\"op\":\"version\"}", &resp) == WTY_NULL_ARGUMENT && resp == NULL,
          "NULL engine");
    resp = (char *)"sentinel";
    CHECK(wty_call(engine, NULL, &resp) == WTY_NULL_ARGUMENT && resp == NULL, "NULL request");
    CHECK(wty_call(engine, "{\"op\":\"version\"}", NULL) == WTY_NULL_ARGUMENT,
          "NULL response pointer");
    CHECK(wty_call(NULL, NULL, NULL) == WTY_NULL_ARGUMENT, "all NULL");
    resp = (char *)"sentinel";
    CHECK(wty_call_batch(NULL, "", &resp) == WTY_NULL_ARGUMENT && resp == NULL,
          "batch NULL engine");
    resp = (char *)"sentinel";
    CHECK(wty_call_batch(engine, NULL, &resp) == WTY_NULL_ARGUMENT && resp == NULL,
          "batch NULL requests");
    CHECK(wty_call_batch(engine, "", NULL) == WTY_NULL_ARGUMENT, "batch NULL responses");
    resp = (char *)"sentinel";
    CHECK(wty_call_once(NULL, &resp) == WTY_NULL_ARGUMENT && resp == NULL, "once NULL request");
    CHECK(wty_call_once("{}", NULL) == WTY_NULL_ARGUMENT, "once NULL response");
    wty_string_free(NULL);
    wty_engine_free(NULL);
    /* The engine is still fine after all that. */
    resp = NULL;
    CHECK(wty_call(engine, "{\"op\":\"version\"}", &resp) == WTY_OK, "engine after NULLs");
    wty_string_free(resp);
    wty_engine_free(engine);
}

static void test_invalid_utf8(void) {
    wty_engine *engine = wty_engine_new();
    char *resp = NULL;
    /* A lone continuation byte, an overlong encoding, a truncated sequence. */
    const char *bad[] = {"{\"op\":\"version\x80\"}", "\xc0\xaf", "{\"op\":\"\xe2\x82\"}"};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        resp = NULL;
        CHECK(wty_call(engine, bad[i], &resp) == WTY_INVALID, "invalid UTF-8 %u status",
              (unsigned)i);
        CHECK(resp != NULL && strstr(resp, "\"code\":\"INVALID_JSON\"") != NULL,
              "invalid UTF-8 %u: %s", (unsigned)i, resp ? resp : "(null)");
        wty_string_free(resp);
    }
    resp = NULL;
    CHECK(wty_call_batch(engine, "{\"op\":\"version\"}\n\xff\n", &resp) == WTY_INVALID,
          "batch with an invalid line");
    CHECK(resp != NULL && strstr(resp, "INVALID_JSON") != NULL, "batch invalid line answer");
    wty_string_free(resp);
    wty_engine_free(engine);
}

/* A load_catalog request of more than `min_bytes`: policies P0, P1, … */
static char *big_catalog_request(size_t min_bytes, int *policies_out) {
    size_t cap = min_bytes + 4096, len = 0;
    char *buf = (char *)malloc(cap);
    int i = 0;
    if (buf == NULL) {
        return NULL;
    }
    len += (size_t)sprintf(buf, "{\"op\":\"load_catalog\",\"name\":\"big\",\"policies\":[");
    while (len < min_bytes) {
        char one[512];
        int n = snprintf(one, sizeof one,
                         "%s{\"id\":\"POL-%d\",\"name\":\"Policy number %d with a long name "
                         "to make the request big\",\"duration\":{\"value\":%d,\"unit\":"
                         "\"months\"},\"covers\":[{\"product\":\"P%d\"}],\"reasons\":[{\"id\":"
                         "\"DEFECT\",\"provides_coverage\":true}]}",
                         i ? "," : "", i, i, 12 + (i % 4) * 12, i);
        if (len + (size_t)n + 8 >= cap) {
            char *bigger;
            cap *= 2;
            bigger = (char *)realloc(buf, cap);
            if (bigger == NULL) {
                free(buf);
                return NULL;
            }
            buf = bigger;
        }
        memcpy(buf + len, one, (size_t)n);
        len += (size_t)n;
        i++;
    }
    memcpy(buf + len, "]}", 3);
    *policies_out = i;
    return buf;
}

static void test_big_request(void) {
    int n = 0;
    char *req = big_catalog_request(10u * 1024u * 1024u, &n);
    char *resp = NULL;
    char expect[128];
    wty_engine *engine = wty_engine_new();
    CHECK(req != NULL && strlen(req) > 10u * 1024u * 1024u, "10 MB request not built");
    if (req == NULL) {
        wty_engine_free(engine);
        return;
    }
    CHECK(wty_call(engine, req, &resp) == WTY_OK, "10 MB load_catalog: %.200s",
          resp ? resp : "(null)");
    snprintf(expect, sizeof expect, "\"policies\":%d", n);
    CHECK(resp != NULL && strstr(resp, expect) != NULL, "10 MB load_catalog answer %s",
          resp ? resp : "(null)");
    wty_string_free(resp);
    resp = NULL;
    CHECK(wty_call(engine,
                   "{\"op\":\"resolve\",\"catalog\":\"big\",\"item\":{\"product\":\"P4242\"},"
                   "\"sold_at\":\"2026-05-01T12:00:00+02:00\"}",
                   &resp) == WTY_OK,
          "resolve in the big catalog");
    CHECK(resp != NULL && strstr(resp, "\"policy\":\"POL-4242\"") != NULL, "big resolve: %s",
          resp ? resp : "(null)");
    wty_string_free(resp);
    wty_engine_free(engine);
    free(req);
}

#define COVERAGE                                                                               \
    "{\"op\":\"coverage\",\"policy\":{\"id\":\"TV-2Y\",\"duration\":{\"value\":2,\"unit\":"     \
    "\"years\"},\"reasons\":[{\"id\":\"DEFECT\",\"provides_coverage\":true}]},\"warranty\":{"  \
    "\"start\":\"2025-06-01T09:00:00+02:00\"},\"as_of\":\"2026-11-22T15:00:00+01:00\","        \
    "\"reason\":\"DEFECT\",\"zone\":\"Europe/Berlin\"}"
#define LOAD                                                                                   \
    "{\"op\":\"load_catalog\",\"name\":\"shop\",\"policies\":[{\"id\":\"TV\",\"duration\":{"   \
    "\"value\":2,\"unit\":\"years\"},\"covers\":[{\"product_type\":\"TV\"}]},{\"id\":"         \
    "\"OLED\",\"duration\":{\"value\":3,\"unit\":\"years\"},\"covers\":[{\"product\":"         \
    "\"OLED-55\"}]}]}"
#define RESOLVE                                                                                \
    "{\"op\":\"resolve\",\"catalog\":\"shop\",\"item\":{\"product\":\"OLED-55\","              \
    "\"product_type\":\"TV\"},\"sold_at\":\"2026-05-01T12:00:00+02:00\"}"

/* Runs `calls` alternating coverage/resolve calls on `engine`; 0 when every answer equals the
 * first answer of its kind. */
static int hammer(wty_engine *engine, int calls) {
    char *first[2] = {NULL, NULL};
    int i, bad = 0;
    char *resp = NULL;
    if (wty_call(engine, LOAD, &resp) != WTY_OK) {
        bad++;
    }
    wty_string_free(resp);
    for (i = 0; i < calls; i++) {
        int k = i % 2;
        resp = NULL;
        if (wty_call(engine, k ? RESOLVE : COVERAGE, &resp) != WTY_OK || resp == NULL) {
            bad++;
        } else if (first[k] == NULL) {
            first[k] = resp;
            continue;
        } else if (strcmp(resp, first[k]) != 0) {
            bad++;
        }
        wty_string_free(resp);
    }
    wty_string_free(first[0]);
    wty_string_free(first[1]);
    return bad;
}

static void test_many_calls(void) {
    wty_engine *engine = wty_engine_new();
    int bad = hammer(engine, 10000);
    CHECK(bad == 0, "10,000 calls on one engine: %d bad answers", bad);
    wty_engine_free(engine);
}

#define THREADS 4
struct job {
    int calls;
    int bad;
};

static void *thread_main(void *arg) {
    struct job *job = (struct job *)arg;
    wty_engine *engine = wty_engine_new(); /* one engine per thread */
    job->bad = engine ? hammer(engine, job->calls) : 1;
    wty_engine_free(engine);
    return NULL;
}

static void test_threads(void) {
    pthread_t t[THREADS];
    struct job jobs[THREADS];
    int i, started = 0;
    for (i = 0; i < THREADS; i++) {
        jobs[i].calls = 1000;
        jobs[i].bad = 0;
        if (pthread_create(&t[i], NULL, thread_main, &jobs[i]) == 0) {
            started++;
        } else {
            jobs[i].bad = 1;
        }
    }
    for (i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
    }
    for (i = 0; i < THREADS; i++) {
        CHECK(jobs[i].bad == 0, "thread %d: %d bad answers", i, jobs[i].bad);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s MANIFEST NDJSON NDJSON_CLI\n", argv[0]);
        return 2;
    }
    test_version();
    test_null_arguments();
    test_invalid_utf8();
    test_vectors(argv[1]);
    test_batch(argv[2], argv[3]);
    test_big_request();
    test_many_calls();
    test_threads();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

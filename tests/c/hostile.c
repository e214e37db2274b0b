/* Hostile-input run through the C ABI (scripts/hostile-run.sh): reads an NDJSON file, sends it
 * through wty_call_batch on one engine in chunks of CHUNK lines (as a POS host streams), and
 * writes the responses to stdout, to be byte-compared with `wty call --ndjson`. Built with
 * ASan+UBSan by the script. usage: hostile FILE > responses.ndjson */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "warranty.h"

#define CHUNK 10000

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: hostile FILE\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 3; }
    wty_engine *engine = wty_engine_new();
    size_t cap = 1 << 20, len = 0, lines = 0, chunks = 0;
    char *buf = malloc(cap);
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t n;
    int failed = 0;
    for (;;) {
        n = getline(&line, &line_cap, f);
        if (n > 0) {
            while (len + (size_t)n + 1 > cap) { cap *= 2; buf = realloc(buf, cap); }
            memcpy(buf + len, line, (size_t)n);
            len += (size_t)n;
            lines++;
        }
        if ((n < 0 && len > 0) || (lines > 0 && lines % CHUNK == 0 && len > 0)) {
            char *resp = NULL;
            buf[len] = '\0';
            wty_status st = wty_call_batch(engine, buf, &resp);
            /* WTY_INVALID only says some answer is ok:false, as most hostile ones are. */
            if ((st != WTY_OK && st != WTY_INVALID) || !resp) {
                fprintf(stderr, "wty_call_batch: status %d\n", (int)st);
                failed = 1;
            }
            if (resp) { fputs(resp, stdout); wty_string_free(resp); }
            len = 0;
            chunks++;
        }
        if (n < 0) break;
    }
    free(line);
    free(buf);
    fclose(f);
    wty_engine_free(engine);
    fprintf(stderr, "hostile (C): %zu requests in %zu batches\n", lines, chunks);
    return failed;
}

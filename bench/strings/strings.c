/* strings: 2M integers converted to strings, collected in an array and joined, by default.
   Measures int-to-string conversion, small string allocation, array growth and join/find on a large string. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long size_arg(int argc, char **argv, long long fallback) {
    long long n;
    if (argc < 2) return fallback;
    n = atoll(argv[1]);
    if (n < 0) {
        fprintf(stderr, "size must not be negative: %s\n", argv[1]);
        exit(1);
    }
    return n;
}

static void *xmalloc(size_t size) {
    void *p = malloc(size == 0 ? 1 : size);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv) {
    long long n = size_arg(argc, argv, 2000000);
    long long count = 0, cap = 16, i, weighted = 0, pos;
    size_t total = 0, at = 0;
    char **parts = xmalloc(sizeof(char *) * (size_t)cap);
    char *s, *hit;
    for (i = 0; i < n; i++) {
        char buf[32];
        int k = snprintf(buf, sizeof buf, "%lld", (i * 7919) % 1000003);
        char *p = xmalloc((size_t)k + 1);
        memcpy(p, buf, (size_t)k + 1);
        if (count == cap) {
            char **grown;
            cap *= 2;
            grown = realloc(parts, sizeof(char *) * (size_t)cap);
            if (grown == NULL) {
                fprintf(stderr, "out of memory\n");
                exit(1);
            }
            parts = grown;
        }
        parts[count++] = p;
    }
    for (i = 0; i < n; i++) {
        weighted += (long long)strlen(parts[i]) * (i % 10 + 1);
    }
    /* join(parts, ",") */
    for (i = 0; i < count; i++) total += strlen(parts[i]);
    if (count > 0) total += (size_t)(count - 1);
    s = xmalloc(total + 1);
    for (i = 0; i < count; i++) {
        size_t len = strlen(parts[i]);
        if (i > 0) s[at++] = ',';
        memcpy(s + at, parts[i], len);
        at += len;
    }
    s[at] = '\0';
    hit = strstr(s, "99999");
    pos = hit == NULL ? -1 : (long long)(hit - s);
    printf("%llu\n", (unsigned long long)at);
    printf("%lld\n", weighted);
    printf("%lld\n", pos);
    for (i = 0; i < count; i++) free(parts[i]);
    free(parts);
    free(s);
    return 0;
}

/* concat: naive string concatenation `s = s + str(i)`, 50k times by default.
   Measures repeated copying of a growing string (quadratic work) and freeing of the old copies:
   every step allocates a new string, copies both parts and frees the old one. */
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

int main(int argc, char **argv) {
    long long n = size_arg(argc, argv, 50000);
    long long i;
    size_t len = 0;
    char *s = malloc(1);
    if (s == NULL) return 1;
    s[0] = '\0';
    for (i = 0; i < n; i++) {
        char buf[32];
        int k = snprintf(buf, sizeof buf, "%lld", i);
        char *t = malloc(len + (size_t)k + 1);
        if (t == NULL) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        memcpy(t, s, len);
        memcpy(t + len, buf, (size_t)k + 1);
        free(s);
        s = t;
        len += (size_t)k;
    }
    printf("%llu\n", (unsigned long long)len);
    free(s);
    return 0;
}

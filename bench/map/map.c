/* map: a hash map with 1M string keys by default ("k0", "k1", ...): insert all, then look every key up again.
   Measures string building, string hashing, map growth and map lookups.
   The map is a small open-addressing hash table (FNV-1a, linear probing, doubling at 1/2 load)
   that owns a copy of each key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    char *key; /* NULL: empty slot */
    uint64_t hash;
    long long value;
};

struct map {
    struct entry *slots;
    size_t cap; /* a power of two */
    size_t len;
};

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

static void *xcalloc(size_t count, size_t size) {
    void *p = calloc(count, size);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

static uint64_t hash_str(const char *s, size_t len) {
    uint64_t h = 14695981039346656037ULL;
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static struct entry *find_slot(struct entry *slots, size_t cap, const char *key, uint64_t h) {
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].key != NULL) {
        if (slots[i].hash == h && strcmp(slots[i].key, key) == 0) return &slots[i];
        i = (i + 1) & (cap - 1);
    }
    return &slots[i];
}

static void map_grow(struct map *m) {
    size_t new_cap = m->cap * 2;
    struct entry *slots = xcalloc(new_cap, sizeof(struct entry));
    size_t i;
    for (i = 0; i < m->cap; i++) {
        if (m->slots[i].key != NULL) {
            struct entry *e = find_slot(slots, new_cap, m->slots[i].key, m->slots[i].hash);
            *e = m->slots[i];
        }
    }
    free(m->slots);
    m->slots = slots;
    m->cap = new_cap;
}

static void map_set(struct map *m, const char *key, size_t len, long long value) {
    uint64_t h = hash_str(key, len);
    struct entry *e = find_slot(m->slots, m->cap, key, h);
    if (e->key == NULL) {
        e->key = malloc(len + 1);
        if (e->key == NULL) exit(1);
        memcpy(e->key, key, len + 1);
        e->hash = h;
        m->len++;
        e->value = value;
        if (m->len * 2 > m->cap) map_grow(m);
        return;
    }
    e->value = value;
}

static long long map_get(const struct map *m, const char *key, size_t len) {
    uint64_t h = hash_str(key, len);
    struct entry *e = find_slot(m->slots, m->cap, key, h);
    if (e->key == NULL) {
        fprintf(stderr, "key not found: %s\n", key);
        exit(1);
    }
    return e->value;
}

int main(int argc, char **argv) {
    long long n = size_arg(argc, argv, 1000000);
    struct map m;
    long long i, sum = 0;
    char key[32];
    size_t k;
    m.cap = 8;
    m.len = 0;
    m.slots = xcalloc(m.cap, sizeof(struct entry));
    for (i = 0; i < n; i++) {
        int len = snprintf(key, sizeof key, "k%lld", i);
        map_set(&m, key, (size_t)len, i);
    }
    for (i = 0; i < n; i++) {
        int len = snprintf(key, sizeof key, "k%lld", i);
        sum += map_get(&m, key, (size_t)len);
    }
    printf("%lld\n", sum);
    printf("%llu\n", (unsigned long long)m.len);
    for (k = 0; k < m.cap; k++) free(m.slots[k].key);
    free(m.slots);
    return 0;
}

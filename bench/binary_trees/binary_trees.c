/* binary_trees: the Benchmarks Game binary-trees, max depth 16 by default.
   Measures allocation of many small short-lived nodes (malloc and free here). */
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *left;
    struct node *right;
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

static struct node *new_node(struct node *left, struct node *right) {
    struct node *nd = malloc(sizeof *nd);
    if (nd == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    nd->left = left;
    nd->right = right;
    return nd;
}

static struct node *bottom_up(long long depth) {
    if (depth <= 0) return new_node(NULL, NULL);
    return new_node(bottom_up(depth - 1), bottom_up(depth - 1));
}

static long long check(const struct node *nd) {
    if (nd->left == NULL) return 1;
    return 1 + check(nd->left) + check(nd->right);
}

static void free_tree(struct node *nd) {
    if (nd->left != NULL) {
        free_tree(nd->left);
        free_tree(nd->right);
    }
    free(nd);
}

static long long power_of_two(long long k) {
    long long p = 1;
    long long i;
    for (i = 0; i < k; i++) p *= 2;
    return p;
}

int main(int argc, char **argv) {
    long long n = size_arg(argc, argv, 16);
    long long min_depth = 4;
    long long max_depth = min_depth + 2 > n ? min_depth + 2 : n;
    long long stretch_depth = max_depth + 1;
    long long depth;
    struct node *tree = bottom_up(stretch_depth);
    struct node *long_lived;
    printf("stretch tree of depth %lld\t check: %lld\n", stretch_depth, check(tree));
    free_tree(tree);
    long_lived = bottom_up(max_depth);
    for (depth = min_depth; depth <= max_depth; depth += 2) {
        long long iterations = power_of_two(max_depth - depth + min_depth);
        long long total = 0;
        long long i;
        for (i = 0; i < iterations; i++) {
            tree = bottom_up(depth);
            total += check(tree);
            free_tree(tree);
        }
        printf("%lld\t trees of depth %lld\t check: %lld\n", iterations, depth, total);
    }
    printf("long lived tree of depth %lld\t check: %lld\n", max_depth, check(long_lived));
    free_tree(long_lived);
    return 0;
}

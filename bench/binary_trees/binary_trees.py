# binary_trees: the Benchmarks Game binary-trees, max depth 16 by default.
# Measures allocation of many small short-lived objects and the garbage collector.
import sys


class Node:
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right


def size_arg(fallback):
    if len(sys.argv) < 2:
        return fallback
    n = int(sys.argv[1])
    if n < 0:
        raise SystemExit("size must not be negative: " + sys.argv[1])
    return n


def bottom_up(depth):
    if depth <= 0:
        return Node(None, None)
    return Node(bottom_up(depth - 1), bottom_up(depth - 1))


def check(node):
    l = node.left
    if l is None:
        return 1
    return 1 + check(l) + check(node.right)


def power_of_two(k):
    p = 1
    for _ in range(k):
        p *= 2
    return p


def main():
    n = size_arg(16)
    min_depth = 4
    max_depth = max(min_depth + 2, n)
    stretch_depth = max_depth + 1
    print("stretch tree of depth %d\t check: %d" % (stretch_depth, check(bottom_up(stretch_depth))))
    long_lived = bottom_up(max_depth)
    depth = min_depth
    while depth <= max_depth:
        iterations = power_of_two(max_depth - depth + min_depth)
        total = 0
        for _ in range(iterations):
            total += check(bottom_up(depth))
        print("%d\t trees of depth %d\t check: %d" % (iterations, depth, total))
        depth += 2
    print("long lived tree of depth %d\t check: %d" % (max_depth, check(long_lived)))


main()

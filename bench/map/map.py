# map: a hash map with 1M string keys by default ("k0", "k1", ...): insert all, then look every key up again.
# Measures string building, string hashing, dict growth and dict lookups.
import sys


def size_arg(fallback):
    if len(sys.argv) < 2:
        return fallback
    n = int(sys.argv[1])
    if n < 0:
        raise SystemExit("size must not be negative: " + sys.argv[1])
    return n


def main():
    n = size_arg(1000000)
    m = {}
    for i in range(n):
        m["k" + str(i)] = i
    total = 0
    for i in range(n):
        total += m["k" + str(i)]
    print(total)
    print(len(m))


main()

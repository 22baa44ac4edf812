# fannkuch: the Benchmarks Game fannkuch-redux, n = 10 by default.
# Measures small int list reads, writes and swaps in tight loops (permutations and prefix flips).
import sys


def size_arg(fallback):
    if len(sys.argv) < 2:
        return fallback
    n = int(sys.argv[1])
    if n < 1:
        raise SystemExit("size must be at least 1: " + sys.argv[1])
    return n


def fannkuch(n):
    """Prints the checksum and the maximum number of flips over all permutations of 0..n-1."""
    perm1 = [0] * n
    perm = [0] * n
    count = [0] * n
    for i in range(n):
        perm1[i] = i
    max_flips = 0
    checksum = 0
    perm_count = 0
    r = n
    while True:
        while r > 1:
            count[r - 1] = r
            r -= 1
        for i in range(n):
            perm[i] = perm1[i]
        flips = 0
        k = perm[0]
        while k != 0:
            i = 0
            j = k
            while i < j:
                t = perm[i]
                perm[i] = perm[j]
                perm[j] = t
                i += 1
                j -= 1
            flips += 1
            k = perm[0]
        if flips > max_flips:
            max_flips = flips
        if perm_count % 2 == 0:
            checksum += flips
        else:
            checksum -= flips
        # Next permutation: rotate the first r + 1 elements until a counter is left.
        while True:
            if r >= n:
                print(checksum)
                print("Pfannkuchen(%d) = %d" % (n, max_flips))
                return
            perm0 = perm1[0]
            for i in range(r):
                perm1[i] = perm1[i + 1]
            perm1[r] = perm0
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        perm_count += 1


def main():
    fannkuch(size_arg(10))


main()

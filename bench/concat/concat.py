# concat: naive string concatenation `s = s + str(i)`, 50k times by default.
# Measures repeated copying of a growing string and freeing of the old copies.
# (CPython may extend the string in place when it holds the only reference.)
import sys


def size_arg(fallback):
    if len(sys.argv) < 2:
        return fallback
    n = int(sys.argv[1])
    if n < 0:
        raise SystemExit("size must not be negative: " + sys.argv[1])
    return n


def main():
    n = size_arg(50000)
    s = ""
    for i in range(n):
        s = s + str(i)
    print(len(s))


main()

# loop: a tight integer loop of 30M iterations by default.
# Measures the interpreter's dispatch of arithmetic, comparison and loop jumps.
# Every intermediate value stays below 2^53 so that LuaJIT (doubles) agrees.
import sys


def size_arg(fallback):
    if len(sys.argv) < 2:
        return fallback
    n = int(sys.argv[1])
    if n < 0:
        raise SystemExit("size must not be negative: " + sys.argv[1])
    return n


def main():
    n = size_arg(30000000)
    acc = 0
    odd = 0
    for i in range(n):
        acc = (acc * 31 + i * 7 + i % 13) % 1000000007
        if acc % 2 == 1:
            odd += 1
    print(acc)
    print(odd)


main()

# strings: 2M integers converted to strings, collected in a list and joined, by default.
# Measures int-to-string conversion, small string allocation, list growth and join/find on a large string.
import sys


def size_arg(fallback):
    if len(sys.argv) < 2:
        return fallback
    n = int(sys.argv[1])
    if n < 0:
        raise SystemExit("size must not be negative: " + sys.argv[1])
    return n


def main():
    n = size_arg(2000000)
    parts = []
    for i in range(n):
        parts.append(str((i * 7919) % 1000003))
    weighted = 0
    for i in range(n):
        weighted += len(parts[i]) * (i % 10 + 1)
    s = ",".join(parts)
    print(len(s))
    print(weighted)
    print(s.find("99999"))


main()

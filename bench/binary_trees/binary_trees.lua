-- binary_trees: the Benchmarks Game binary-trees, max depth 16 by default.
-- Measures allocation of many small short-lived tables and the garbage collector.

local function size_arg(fallback)
  local s = arg and arg[1]
  if s == nil then return fallback end
  local n = tonumber(s)
  if n == nil or n < 0 then error("size must not be negative: " .. s) end
  return math.floor(n)
end

local function bottom_up(depth)
  if depth <= 0 then
    return { left = nil, right = nil }
  end
  return { left = bottom_up(depth - 1), right = bottom_up(depth - 1) }
end

local function check(node)
  local l = node.left
  if l == nil then
    return 1
  end
  return 1 + check(l) + check(node.right)
end

local function power_of_two(k)
  local p = 1
  for _ = 1, k do
    p = p * 2
  end
  return p
end

local n = size_arg(16)
local min_depth = 4
local max_depth = math.max(min_depth + 2, n)
local stretch_depth = max_depth + 1
print(string.format("stretch tree of depth %d\t check: %d", stretch_depth, check(bottom_up(stretch_depth))))
local long_lived = bottom_up(max_depth)
local depth = min_depth
while depth <= max_depth do
  local iterations = power_of_two(max_depth - depth + min_depth)
  local total = 0
  for _ = 1, iterations do
    total = total + check(bottom_up(depth))
  end
  print(string.format("%d\t trees of depth %d\t check: %d", iterations, depth, total))
  depth = depth + 2
end
print(string.format("long lived tree of depth %d\t check: %d", max_depth, check(long_lived)))

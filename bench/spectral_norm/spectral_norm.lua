-- spectral_norm: the Benchmarks Game spectral-norm, n = 500 by default.
-- Measures float arithmetic in nested loops over float arrays (reads, writes, int-to-float conversion).

local function size_arg(fallback)
  local s = arg and arg[1]
  if s == nil then return fallback end
  local n = tonumber(s)
  if n == nil or n < 1 then error("size must be at least 1: " .. s) end
  return math.floor(n)
end

-- i and j are 0-based as in the other implementations.
local function eval_a(i, j)
  return 1.0 / (math.floor((i + j) * (i + j + 1) / 2) + i + 1)
end

local function mul_av(n, v, av)
  for i = 0, n - 1 do
    local sum = 0.0
    for j = 0, n - 1 do
      sum = sum + eval_a(i, j) * v[j + 1]
    end
    av[i + 1] = sum
  end
end

local function mul_atv(n, v, atv)
  for i = 0, n - 1 do
    local sum = 0.0
    for j = 0, n - 1 do
      sum = sum + eval_a(j, i) * v[j + 1]
    end
    atv[i + 1] = sum
  end
end

local function mul_atav(n, v, out, tmp)
  mul_av(n, v, tmp)
  mul_atv(n, tmp, out)
end

local n = size_arg(500)
local u, v, tmp = {}, {}, {}
for i = 1, n do
  u[i] = 1.0
  v[i] = 0.0
  tmp[i] = 0.0
end
for _ = 1, 10 do
  mul_atav(n, u, v, tmp)
  mul_atav(n, v, u, tmp)
end
local vbv, vv = 0.0, 0.0
for i = 1, n do
  vbv = vbv + u[i] * v[i]
  vv = vv + v[i] * v[i]
end
print(string.format("%.9f", math.sqrt(vbv / vv)))

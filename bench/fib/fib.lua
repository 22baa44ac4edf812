-- fib: naive doubly recursive Fibonacci, fib(32) by default.
-- Measures function call and return overhead (integer arguments, small frames).

local function size_arg(fallback)
  local s = arg and arg[1]
  if s == nil then return fallback end
  local n = tonumber(s)
  if n == nil or n < 0 then error("size must not be negative: " .. s) end
  return math.floor(n)
end

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local n = size_arg(32)
print(string.format("%d", fib(n)))

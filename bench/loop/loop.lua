-- loop: a tight integer loop of 30M iterations by default.
-- Measures the interpreter's dispatch of arithmetic, comparison and loop jumps.
-- Every intermediate value stays below 2^53 so that LuaJIT (doubles) agrees.

local function size_arg(fallback)
  local s = arg and arg[1]
  if s == nil then return fallback end
  local n = tonumber(s)
  if n == nil or n < 0 then error("size must not be negative: " .. s) end
  return math.floor(n)
end

local n = size_arg(30000000)
local acc = 0
local odd = 0
for i = 0, n - 1 do
  acc = (acc * 31 + i * 7 + i % 13) % 1000000007
  if acc % 2 == 1 then
    odd = odd + 1
  end
end
print(string.format("%d", acc))
print(string.format("%d", odd))

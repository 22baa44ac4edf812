-- fannkuch: the Benchmarks Game fannkuch-redux, n = 10 by default.
-- Measures small int array reads, writes and swaps in tight loops (permutations and prefix flips).

local function size_arg(fallback)
  local s = arg and arg[1]
  if s == nil then return fallback end
  local n = tonumber(s)
  if n == nil or n < 1 then error("size must be at least 1: " .. s) end
  return math.floor(n)
end

-- Prints the checksum and the maximum number of flips over all permutations of 0..n-1.
-- Tables are 1-based: element i of the other implementations is at index i + 1 here.
local function fannkuch(n)
  local perm1, perm, count = {}, {}, {}
  for i = 1, n do
    perm1[i] = i - 1
    perm[i] = 0
    count[i] = 0
  end
  local max_flips = 0
  local checksum = 0
  local perm_count = 0
  local r = n
  while true do
    while r > 1 do
      count[r] = r
      r = r - 1
    end
    for i = 1, n do
      perm[i] = perm1[i]
    end
    local flips = 0
    local k = perm[1]
    while k ~= 0 do
      local i = 1
      local j = k + 1
      while i < j do
        local t = perm[i]
        perm[i] = perm[j]
        perm[j] = t
        i = i + 1
        j = j - 1
      end
      flips = flips + 1
      k = perm[1]
    end
    if flips > max_flips then
      max_flips = flips
    end
    if perm_count % 2 == 0 then
      checksum = checksum + flips
    else
      checksum = checksum - flips
    end
    -- Next permutation: rotate the first r + 1 elements until a counter is left.
    while true do
      if r >= n then
        print(string.format("%d", checksum))
        print(string.format("Pfannkuchen(%d) = %d", n, max_flips))
        return
      end
      local perm0 = perm1[1]
      for i = 1, r do
        perm1[i] = perm1[i + 1]
      end
      perm1[r + 1] = perm0
      count[r + 1] = count[r + 1] - 1
      if count[r + 1] > 0 then
        break
      end
      r = r + 1
    end
    perm_count = perm_count + 1
  end
end

fannkuch(size_arg(10))

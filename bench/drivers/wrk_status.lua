-- wrk script for the benchmarks' status GETs: each request asks for 100 of
-- the ids in IDS_FILE (one a line), rotating through them. Environment:
-- IDS_FILE, TOKEN (a throwaway benchmark token), BASE_PATH (the API prefix,
-- such as /remotejobs/v2).
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local paths = {}
for first = 1, #ids - 99, 100 do
  paths[#paths + 1] = os.getenv("BASE_PATH") .. "/jobs/" .. table.concat(ids, ",", first, first + 99)
end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

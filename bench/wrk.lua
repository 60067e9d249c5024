-- Driven by bench/load.mjs. The request comes from environment variables so one script serves
-- every row; done() writes the full latency histogram (microseconds) so rounds can be pooled
-- exactly instead of averaging per-round percentiles.
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local report = os.getenv("BENCH_REPORT")
local refreshToken = os.getenv("BENCH_REFRESH_TOKEN")

wrk.method = method
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

if refreshToken and os.getenv("BENCH_REFRESH_KIND") == "oauth" then
  -- The OpenID Provider's token endpoint: a refresh_token grant as a form, chained the same way.
  -- wrk.format replaces wrk.headers with the table it is given: the client's -H Authorization is copied in.
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  for name, value in pairs(wrk.headers) do headers[name] = value end
  request = function()
    return wrk.format("POST", nil, headers, "grant_type=refresh_token&refresh_token=" .. refreshToken)
  end
  response = function(status, headers, responseBody)
    local next = responseBody:match('"refresh_token":"([^"]+)"')
    if next then refreshToken = next end
  end
elseif refreshToken then
  -- Refresh tokens are single-use: each request sends the token the previous response returned.
  -- Only correct with one connection, which load.mjs enforces for this row.
  request = function()
    return wrk.format("POST", nil, { ["Content-Type"] = "application/json" },
      '{"refreshToken":"' .. refreshToken .. '"}')
  end
  response = function(status, headers, responseBody)
    local next = responseBody:match('"refreshToken":"([^"]+)"')
    if next then refreshToken = next end
  end
end

done = function(summary, latency, requests)
  local out = assert(io.open(report, "w"))
  out:write(string.format("%d %d %d %d %d %d\n", summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, #latency))
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(value, " ", count, "\n")
  end
  out:close()
end

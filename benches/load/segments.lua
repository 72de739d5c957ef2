-- wrk script: live segment requests spread over the newest 100 segments of both
-- Representations of fixtures/dash/ffmpeg_livesim, as players in a live window ask.
-- The newest number is computed from the clock at start (2 s segments, AST 0).
local newest = math.floor(os.time() / 2) - 2
local paths = {}
for i = 0, 99 do
  paths[#paths + 1] = "/livesim/ffmpeg_livesim/0/" .. (newest - i) .. ".m4s"
  paths[#paths + 1] = "/livesim/ffmpeg_livesim/1/" .. (newest - i) .. ".m4s"
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("segments: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, non-200 %d, socket errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

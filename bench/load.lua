-- wrk script: 50 viewers browsing the dashboard and report pages of the demo plans.
local paths = {
  "/plans/sasebo-r7/",
  "/plans/sasebo-r7/issues/1-01/progress/",
  "/plans/sasebo-r7/issues/1-01/kpis/",
  "/plans/sasebo-r7/issues/2-01/goals/",
  "/plans/sasebo-r7/issues/1-06/kpis/",
  "/plans/sasebo-r7/projects/?category=%E8%A6%B3%E5%85%89",
  "/plans/nagasaki-dx/",
  "/plans/nagasaki-dx/issues/1-1/kpis/",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], {["X-Forwarded-Proto"] = "https"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end

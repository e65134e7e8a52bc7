-- bench/history/requests.lua: wrk script for bench/history/run.sh.
-- wrk -s requests.lua URL -- PATHS-FILE COUNT  (COUNT: stop the thread after that many
-- responses; wrk still waits out -d, so run.sh uses it only for fixed-time runs)
-- Each request GETs a random line of PATHS-FILE (one path per line); the
-- thread stops after COUNT responses. done() prints one line:
-- "requests=N errors=N non200=N p50_us=N p90_us=N p99_us=N max_us=N mean_us=N".
local paths, limit, seen = {}, 600, 0
local non200 = 0

function init(args)
	for line in io.lines(args[1]) do
		if line ~= "" then paths[#paths + 1] = line end
	end
	limit = tonumber(args[2]) or limit
	math.randomseed(os.time())
end

function request()
	return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
	seen = seen + 1
	if status ~= 200 then
		non200 = non200 + 1
		io.stderr:write("status " .. status .. "\n")
	end
	if seen >= limit then
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("requests=%d errors=%d non200=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%d\n",
		summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
		latency:percentile(50), latency:percentile(90), latency:percentile(99),
		latency.max, latency.mean))
end

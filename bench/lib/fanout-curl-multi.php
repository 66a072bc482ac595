<?php
// Fan-out reference: one PHP process with curl_multi calling the local fleet (the seeds' original
// approach). Same work per call as the http_call worker: one connection per host, sha1 of each body.
// usage: php fanout-curl-multi.php TARGETS BASE_PORT GET|POST BODY_BYTES REPEAT CONCURRENCY ROUNDS
// prints one JSON line: {rounds: [{ok, failed, wallMs, bytes, combinedHash}, ...]}; later rounds reuse
// the multi handle's connection cache (warm keep-alive connections).

[$_, $targets, $basePort, $method, $bodyBytes, $repeat, $concurrency, $rounds] = array_pad($argv, 8, null);
$rounds = max(1, (int)($rounds ?? 1));
$targets = (int)($targets ?? 2000);
$basePort = (int)($basePort ?? 21000);
$method = $method ?? 'GET';
$body = str_repeat('p', (int)($bodyBytes ?? 256));
$repeat = max(1, (int)($repeat ?? 1));
$concurrency = max(1, (int)($concurrency ?? $targets));

function url_of(int $i, int $basePort): string {
    // The address scheme of examples/fanout/targets.ts.
    $x = 1 + intdiv($i, 250);
    $y = 1 + $i % 250;
    return sprintf('http://127.0.%d.%d:%d/e/%d', $x, $y, $basePort + $i, $i);
}

$mh = curl_multi_init();
curl_multi_setopt($mh, CURLMOPT_MAX_HOST_CONNECTIONS, 1);
curl_multi_setopt($mh, CURLMOPT_MAX_TOTAL_CONNECTIONS, $concurrency);
curl_multi_setopt($mh, CURLMOPT_MAXCONNECTS, $targets);

function run_round($mh, int $targets, int $basePort, string $method, string $body, int $repeat, int $concurrency): array {
    $started = hrtime(true);
    $sums = array_fill(0, $targets, '');
    $ok = 0; $failed = 0; $bytes = 0;
    $index = new WeakMap();
    $total = $targets * $repeat;
    $next = 0;
    // A rolling window of at most $concurrency handles, taken round-robin over the hosts: adding all
    // 20,000 at once makes curl 7.88 rescan its pending list on every completion (seconds of CPU).
    $add = function () use (&$next, $total, $targets, $basePort, $method, $body, $mh, $index) {
        $i = $next % $targets;
        $next++;
        $ch = curl_init(url_of($i, $basePort));
        curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
        curl_setopt($ch, CURLOPT_TIMEOUT_MS, 10000);
        if ($method === 'POST') curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        $index[$ch] = $i;
        curl_multi_add_handle($mh, $ch);
    };
    while ($next < min($total, $concurrency)) $add();
    $deadline = microtime(true) + 120;
    do {
        $status = curl_multi_exec($mh, $active);
        while ($info = curl_multi_info_read($mh)) {
            $ch = $info['handle'];
            $code = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
            if ($info['result'] === CURLE_OK && $code > 0 && $code < 500) {
                $content = curl_multi_getcontent($ch);
                $ok++;
                $bytes += strlen($content);
                $sums[$index[$ch]] = sha1($content);
            } else {
                $failed++;
            }
            curl_multi_remove_handle($mh, $ch);
            curl_close($ch);
            if ($next < $total) { $add(); $active = 1; }
        }
        if ($active) curl_multi_select($mh, 1.0);
    } while (($active || $status === CURLM_CALL_MULTI_PERFORM) && microtime(true) < $deadline);
    $wallMs = (hrtime(true) - $started) / 1e6;
    $h = hash_init('sha1');
    foreach ($sums as $s) hash_update($h, $s . "\n");
    return ['ok' => $ok, 'failed' => $failed, 'wallMs' => round($wallMs, 1), 'bytes' => $bytes, 'combinedHash' => hash_final($h)];
}

$results = [];
for ($r = 0; $r < $rounds; $r++) $results[] = run_round($mh, $targets, $basePort, $method, $body, $repeat, $concurrency);
curl_multi_close($mh);
echo json_encode(['rounds' => $results]), "\n";

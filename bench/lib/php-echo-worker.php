<?php
// Benchmark reference: a libgearman worker (PHP GearmanWorker) with a trivial echo handler.
// Usage: php php-echo-worker.php PORT FUNCTION
$w = new GearmanWorker();
$w->addServer('127.0.0.1', (int)$argv[1]);
$w->addFunction($argv[2], function (GearmanJob $job) { return $job->workload(); });
while ($w->work()) {}

<?php
// An existing PHP Gearman worker run by gmsup as a `process` worker: gmsup only supervises it.
// The job servers arrive in GEARMAN_SERVERS (h:p,h:p) and, when the command line has `{servers}`,
// as an argument. Needs php-cli and php-gearman. Try it with (gmsup start ...; then):
//   gmsup submit legacy "hello"      -> HELLO
$servers = getenv('GEARMAN_SERVERS') ?: '127.0.0.1:4730';
$worker = new GearmanWorker();
$worker->addServers($servers);
// The id gmsup looks for in the job servers' `workers` list to show this instance as registered.
$worker->setId(getenv('GMSUP_CLIENT_ID') ?: 'legacy-php:' . getmypid());
$worker->addFunction('legacy', function (GearmanJob $job) {
    return strtoupper($job->workload());
});
// work() returns false when the connection drops; exiting lets gmsup restart the worker with backoff.
while ($worker->work() || $worker->returnCode() === GEARMAN_IO_WAIT || $worker->returnCode() === GEARMAN_NO_JOBS) {
    if ($worker->returnCode() !== GEARMAN_SUCCESS) $worker->wait();
}
exit(1);

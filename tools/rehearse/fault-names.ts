/** The drill's catalogue, in the order it runs them (names used by --only and in the report). */
export const FAULT_NAMES = [
    "db-primary-killed",
    "db-primary-cut-off",
    "redis-primary-killed",
    "memcached-node-killed",
    "app-instance-killed",
    // Before the load balancer: the killed worker's rows wait out their 60 s lease meanwhile.
    "worker-killed-mid-batch",
    "lb-primary-killed",
    "db-planned-switchover",
];

/** The drill's catalogue, in the order it runs them (names used by --only and in the report). */
export const FAULT_NAMES = [
    "db-primary-killed",
    "db-primary-cut-off",
    "redis-primary-killed",
    "memcached-node-killed",
    "app-instance-killed",
    "lb-primary-killed",
    "worker-killed-mid-batch",
    "db-planned-switchover",
];

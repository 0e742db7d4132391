/**
 * The decisions of the database failover controller, standing in for RDS Multi-AZ (pure; tested). The
 * rule that prevents split brain and lost writes:
 *
 *   a standby may be promoted only while it is *eligible*: it was attached as the synchronous standby
 *   when synchronous replication was last switched on, and the primary has not committed a single
 *   transaction without it since.
 *
 * So when the standby goes missing while the primary is up, the controller first makes the standby
 * ineligible and only then lets the primary commit alone ("degrade", what RDS does while it replaces a
 * failed standby). When the primary goes missing, an eligible standby has every acknowledged commit —
 * the primary could not acknowledge one without it — and is promoted after the old primary is fenced. A
 * primary cut off from the network keeps waiting for its standby and acknowledges nothing.
 */

export interface ClusterState {
    writer: string;
    /** The server streaming as the synchronous standby, if any. */
    standby?: string;
    /** True only while the standby holds every commit the writer acknowledged. */
    standbyEligible: boolean;
    /** Whether the writer currently requires the standby for a commit. */
    syncRequired: boolean;
    /** Servers that must never serve as writer again until rebuilt as standbys. */
    fenced: string[];
    primaryFailures: number;
    standbyMisses: number;
}

export interface Observation {
    /** The writer answered the probe and is not in recovery. */
    writerUp: boolean;
    /** The writer reports the standby as connected, streaming and synchronous. */
    standbySynchronous: boolean;
}

export interface Thresholds {
    /** Consecutive failed probes of the writer before failing over. */
    writerFailures: number;
    /** Consecutive probes without a synchronous standby before the writer may commit alone. */
    standbyMisses: number;
}

export type Decision =
    | { kind: "none" }
    | { kind: "failover"; from: string; to: string }
    | { kind: "degrade"; standby?: string }
    | { kind: "wait"; reason: string };

/** Folds one probe into the counters; returns the new state (the input is not changed). */
export function observe(state: ClusterState, o: Observation): ClusterState {
    return {
        ...state,
        primaryFailures: o.writerUp ? 0 : state.primaryFailures + 1,
        standbyMisses: !o.writerUp || o.standbySynchronous ? 0 : state.standbyMisses + 1,
    };
}

export function decide(state: ClusterState, t: Thresholds): Decision {
    if (state.primaryFailures >= t.writerFailures) {
        if (state.standby && state.standbyEligible) return { kind: "failover", from: state.writer, to: state.standby };
        return {
            kind: "wait",
            reason: state.standby
                ? `standby ${state.standby} may lack acknowledged commits; not promoting it`
                : "no standby to promote",
        };
    }
    if (state.primaryFailures === 0 && state.syncRequired && state.standbyMisses >= t.standbyMisses) {
        return { kind: "degrade", standby: state.standby };
    }
    return { kind: "none" };
}

/** After a failover: the old writer is fenced, the new one commits alone until a standby is rebuilt. */
export function afterFailover(state: ClusterState, to: string): ClusterState {
    return {
        writer: to,
        standby: undefined,
        standbyEligible: false,
        syncRequired: false,
        fenced: [...new Set([...state.fenced, state.writer])].filter((s) => s !== to),
        primaryFailures: 0,
        standbyMisses: 0,
    };
}

/** Step one of degrading: the standby loses eligibility *before* the writer stops waiting for it. */
export function beforeDegrade(state: ClusterState): ClusterState {
    return { ...state, standbyEligible: false };
}

export function afterDegrade(state: ClusterState): ClusterState {
    return { ...state, standbyEligible: false, syncRequired: false, standbyMisses: 0 };
}

/**
 * A rebuilt standby becomes eligible only once the writer requires it and reports it synchronous: from
 * then on no commit is acknowledged without it. Until that moment it is not eligible.
 */
export function afterSyncRestored(state: ClusterState, standby: string): ClusterState {
    return {
        ...state,
        standby,
        standbyEligible: true,
        syncRequired: true,
        fenced: state.fenced.filter((s) => s !== standby),
        standbyMisses: 0,
    };
}

/** After a planned switchover the old writer was stopped cleanly with nothing unreplicated: it is fenced until rebuilt. */
export function afterSwitchover(state: ClusterState, to: string): ClusterState {
    return afterFailover(state, to);
}

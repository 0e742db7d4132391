/**
 * HAProxy's runtime API over its stats socket: the load balancers' view of their targets (what the
 * observer and the Route 53 stand-in read) and target (de)registration, as ECS does it for an ALB.
 */
import net from "node:net";
import { parseShowStat, ServerState } from "./haproxy-config";

/** Sends one command and returns HAProxy's whole answer. */
export function haproxyCommand(socketPath: string, command: string, timeoutMs = 1000): Promise<string> {
    return new Promise((resolve, reject) => {
        let data = "";
        const socket = net.connect({ path: socketPath });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`no answer from ${socketPath}`));
        }, timeoutMs);
        socket.on("connect", () => socket.write(`${command}\n`));
        socket.on("data", (d) => (data += d));
        socket.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        socket.on("end", () => {
            clearTimeout(timer);
            resolve(data);
        });
    });
}

/** The checked servers of one HAProxy. */
export async function haproxyServers(socketPath: string, timeoutMs = 1000): Promise<ServerState[]> {
    return parseShowStat(await haproxyCommand(socketPath, "show stat", timeoutMs));
}

/**
 * ECS deregisters a stopped task from its target groups at once, and registers its replacement, which
 * then has to pass the health check: HAProxy's maintenance state and back.
 */
export async function setTargetRegistered(socketPath: string, server: string, registered: boolean): Promise<void> {
    // A newly registered ALB target is "initial" until it passes healthyThreshold checks: start it DOWN
    // (HAProxy would otherwise resume the old target's last check result; it only takes "health down" out of
    // maintenance by way of drain).
    const commands = registered
        ? [
              `set server targets/${server} state drain`,
              `set server targets/${server} health down`,
              `set server targets/${server} state ready`,
          ]
        : [`set server targets/${server} state maint`];
    for (const command of commands) {
        const answer = await haproxyCommand(socketPath, command);
        if (answer.trim()) throw new Error(`HAProxy refused "${command}": ${answer.trim()}`);
    }
}

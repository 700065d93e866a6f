/** Types for scripts/lib/ports.mjs. */
export declare function portProblem(host: string, port: number): Promise<string | null>;
export declare function takenPorts(
  host: string,
  ports: { name: string; port: number; envVar: string }[],
): Promise<string[]>;

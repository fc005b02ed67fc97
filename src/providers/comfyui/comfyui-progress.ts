/**
 * Turns ComfyUI's per-node `progress` {value, max} into one fraction for the whole run: every sampler
 * node weighs the same (they dominate the time), nodes served from cache count as done, and a node that
 * reports progress without looking like a sampler joins the weighting when it first speaks.
 */
import type { ProgressReporter } from '../media-spec.js';
import type { SocketData } from './comfyui-api-types.js';
import type { WorkflowGraph } from './comfyui-workflow.js';

export interface ProgressSnapshot {
  fraction?: number;
  message?: string;
}

export class ProgressTracker {
  private readonly done = new Map<string, number>();
  private readonly weighted: Set<string>;
  private latest: ProgressSnapshot = {};

  constructor(
    private readonly graph: WorkflowGraph,
    private readonly report: ProgressReporter = () => undefined,
  ) {
    this.weighted = new Set(
      Object.entries(graph)
        .filter(([, node]) => /Sampler/.test(node.class_type) && !/Select/.test(node.class_type))
        .map(([id]) => id),
    );
  }

  get snapshot(): ProgressSnapshot {
    return this.latest;
  }

  /** Feed one socket event (already known to belong to this run). */
  observe(type: string, data: SocketData): void {
    if (type === 'execution_cached') {
      for (const node of data.nodes ?? []) if (this.weighted.has(node)) this.done.set(node, 1);
      return;
    }
    if (type === 'executing' && data.node) {
      this.emit({ fraction: this.fraction(), message: `Running ${this.nameOf(data.node)}` });
      return;
    }
    if (type === 'progress' && data.node && data.value != null && data.max) {
      this.weighted.add(data.node);
      this.done.set(data.node, Math.min(1, Math.max(0, data.value / data.max)));
      this.emit({
        fraction: this.fraction(),
        message: `${this.nameOf(data.node)} ${data.value}/${data.max}`,
      });
    }
  }

  private fraction(): number | undefined {
    if (this.weighted.size === 0) return undefined;
    let sum = 0;
    for (const node of this.weighted) sum += this.done.get(node) ?? 0;
    return sum / this.weighted.size;
  }

  private nameOf(node: string): string {
    return this.graph[node]?._meta?.title ?? this.graph[node]?.class_type ?? `node ${node}`;
  }

  private emit(snapshot: ProgressSnapshot): void {
    this.latest = snapshot;
    this.report(snapshot);
  }
}

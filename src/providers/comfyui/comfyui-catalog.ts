/**
 * The provider's workflows by Atelier model name, loaded and checked once when the provider is built,
 * and the request-time checks that a model names a workflow of the right kind.
 */
import { InvalidRequestError, ModelNotFoundError } from '../../errors/index.js';
import type { ComfyUIOptions, ComfyUIWorkflowOptions } from './comfyui-options.js';
import { loadWorkflow, type Placeholder, type Workflow } from './comfyui-workflow.js';

export interface CatalogEntry extends Workflow {
  kind: 'image' | 'video';
  outputNode: string | undefined;
  defaults: NonNullable<ComfyUIWorkflowOptions['defaults']>;
}

export class WorkflowCatalog {
  private readonly entries = new Map<string, CatalogEntry>();

  constructor(options: ComfyUIOptions, dataDir: string | undefined) {
    for (const [model, workflow] of Object.entries(options.workflows)) {
      const optionKey = `options.workflows.${model}`;
      const loaded = loadWorkflow({ model, file: workflow.file, dataDir, optionKey });
      if (workflow.output_node !== undefined && !(workflow.output_node in loaded.graph)) {
        throw new InvalidRequestError(
          `${optionKey}.output_node: the workflow has no node "${workflow.output_node}"`,
          `${optionKey}.output_node`,
          'invalid_workflow',
        );
      }
      this.entries.set(model, {
        ...loaded,
        kind: workflow.kind,
        outputNode: workflow.output_node,
        defaults: workflow.defaults ?? {},
      });
    }
  }

  get models(): string[] {
    return [...this.entries.keys()];
  }

  /** Whether some workflow of this kind does (or does not) use a placeholder. */
  has(kind: 'image' | 'video', test: (placeholders: ReadonlySet<Placeholder>) => boolean): boolean {
    return [...this.entries.values()].some((entry) => entry.kind === kind && test(entry.placeholders));
  }

  find(model: string): CatalogEntry | undefined {
    return this.entries.get(model);
  }

  lookup(model: string, kind: 'image' | 'video'): CatalogEntry {
    const entry = this.entries.get(model);
    if (!entry) throw new ModelNotFoundError(model);
    if (entry.kind !== kind) {
      throw new InvalidRequestError(
        `The model '${model}' is a ComfyUI ${entry.kind} workflow, not a ${kind} one.`,
        'model',
        'model_kind_mismatch',
      );
    }
    return entry;
  }
}

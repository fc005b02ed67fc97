/**
 * functionDeclarations and toolConfig → canonical tools and tool choice. Other Gemini tool kinds
 * (googleSearch, codeExecution, urlContext…) run inside Google and no other provider can serve them.
 */
import type { ToolChoice, ToolDefinition } from '../../providers/spec.js';
import { fieldError, type GenerateContentRequestBody } from './request-schema.js';
import { openApiToJsonSchema } from './schema-normalize.js';

const EMPTY_PARAMETERS = { type: 'object', properties: {} };

export function decodeTools(request: GenerateContentRequestBody): {
  tools: ToolDefinition[];
  toolChoice?: ToolChoice;
} {
  let tools: ToolDefinition[] = [];
  (request.tools ?? []).forEach((tool, toolIndex) => {
    for (const [key, value] of Object.entries(tool)) {
      if (key === 'functionDeclarations' || value === undefined || value === null) continue;
      throw fieldError(
        `tools[${toolIndex}].${key}`,
        `the '${key}' tool is not supported: only functionDeclarations can be served by every provider.`,
      );
    }
    (tool.functionDeclarations ?? []).forEach((declaration, index) => {
      const path = `tools[${toolIndex}].functionDeclarations[${index}]`;
      if (declaration.parameters && declaration.parametersJsonSchema) {
        throw fieldError(path, 'set either parameters or parametersJsonSchema, not both.');
      }
      const definition: ToolDefinition = {
        name: declaration.name,
        parameters:
          declaration.parametersJsonSchema ??
          (declaration.parameters ? openApiToJsonSchema(declaration.parameters) : { ...EMPTY_PARAMETERS }),
      };
      if (declaration.description) definition.description = declaration.description;
      tools.push(definition);
    });
  });

  const config = request.toolConfig?.functionCallingConfig;
  if (!config) return { tools };
  const allowed = config.allowedFunctionNames ?? [];
  allowed.forEach((name, index) => {
    if (!tools.some((tool) => tool.name === name)) {
      const path = `toolConfig.functionCallingConfig.allowedFunctionNames[${index}]`;
      throw fieldError(path, `'${name}' is not a declared function.`);
    }
  });
  const mode = config.mode ?? 'AUTO';
  if (mode === 'NONE') return { tools, toolChoice: { type: 'none' } };
  if (mode === 'ANY' || mode === 'VALIDATED') {
    // The canonical choice names one tool at most, so a longer allow-list narrows the offered tools instead.
    if (allowed.length > 1) tools = tools.filter((tool) => allowed.includes(tool.name));
    if (mode === 'ANY') {
      return {
        tools,
        toolChoice: allowed.length === 1 ? { type: 'tool', name: allowed[0]! } : { type: 'required' },
      };
    }
  }
  // VALIDATED (constrained but optional calls) is closest to auto.
  return { tools, toolChoice: { type: 'auto' } };
}

export { createComfyUIProvider, type ComfyUIDependencies } from './comfyui-provider.js';
export { comfyUIOptionsSchema, type ComfyUIOptions } from './comfyui-options.js';

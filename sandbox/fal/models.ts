import { fluxLora, imagen4 } from './images';
import type { ModelSpec } from './model-kit';
import { trainers } from './trainers';

/** Every endpoint the sandbox serves, by FAL endpoint id. */
export const MODELS: ReadonlyMap<string, ModelSpec> = new Map([fluxLora, ...imagen4, ...trainers].map((m) => [m.id, m]));

/**
 * The app an endpoint belongs to (`owner/alias`): queue status, result and
 * cancel live under it, so `fal-ai/imagen4/preview` is polled at
 * `fal-ai/imagen4/requests/<id>/status`.
 */
export function appRootOf(endpointId: string): string {
  return endpointId.split('/').slice(0, 2).join('/');
}

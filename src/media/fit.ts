/** Fitting a picture into a frame: contain (letterbox), cover (crop) or stretch. */
import { filter } from './filter-escaping.js';

export type Fit = 'contain' | 'cover' | 'stretch';

export function fitFilters(fit: Fit, width: number, height: number, padColor = 'black'): string[] {
  const square = filter('setsar', { sar: 1 });
  if (fit === 'stretch') return [filter('scale', { w: width, h: height }), square];
  if (fit === 'cover') {
    return [
      filter('scale', { w: width, h: height, force_original_aspect_ratio: 'increase' }),
      filter('crop', { w: width, h: height }),
      square,
    ];
  }
  return [
    filter('scale', { w: width, h: height, force_original_aspect_ratio: 'decrease' }),
    filter('pad', { w: width, h: height, x: '(ow-iw)/2', y: '(oh-ih)/2', color: padColor }),
    square,
  ];
}

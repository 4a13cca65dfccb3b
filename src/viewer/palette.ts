/** Series and service colours, distinguishable in both themes. */
export const PALETTE = [
  '#4f6bed',
  '#e0803a',
  '#2fa57a',
  '#c9456d',
  '#8a63d2',
  '#b59a1b',
  '#2c9fc4',
  '#d05b3b',
  '#6c8a3a',
  '#9a5b8f',
  '#7d8797',
];

export const colorAt = (index: number): string => PALETTE[index % PALETTE.length]!;

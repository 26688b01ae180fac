// Colour maps from the server (the control points of src/render/colormap.cpp), interpolated the
// same way, into 256-entry lookup tables.
export function buildLut(map) {
  const pts = map.points, lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (pts.length - 1);
    const j = Math.min(Math.floor(x), pts.length - 2), f = x - j;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round((pts[j][c] + (pts[j + 1][c] - pts[j][c]) * f) * 255);
  }
  return lut;
}

export function cssColor(lut, t) {
  const i = Math.max(0, Math.min(255, Math.round(t * 255))) * 3;
  return `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`;
}

// The LUT as 256 packed RGBA pixels (little-endian, as ImageData's bytes read through a
// Uint32Array), so drawing is one table look-up per cell.
export function lut32(lut) {
  const out = new Uint32Array(256);
  for (let i = 0; i < 256; i++) out[i] = (255 << 24 | lut[i * 3 + 2] << 16 | lut[i * 3 + 1] << 8 | lut[i * 3]) >>> 0;
  return out;
}

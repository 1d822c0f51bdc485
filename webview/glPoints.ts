// A map's points drawn with WebGL: one draw call of every point as a GL point sprite, its position
// in UMAP coordinates and the zoom in a uniform, so a pan or zoom frame uploads nothing and a
// selection uploads one byte per point. The fragment shader cuts the sprite into a dot, or a ring
// for an injected image. Our own small layer rather than regl-scatterplot: on 70,000 points in
// headless chromium it paints first and redraws faster, and it draws the rings and the faded,
// enlarged selection the canvas drew (`npm run bench:webgl`, scripts/bench-webgl.ts).
import { selectedScale } from "./canvasPoints";

/** Per point: bit 0 injected (drawn as a ring), bit 1 selected. */
export const INJECTED = 1;
export const SELECTED = 2;

export interface GlFrame {
  /** Data to CSS pixels: x * sx + tx, y * sy + ty. */
  sx: number;
  sy: number;
  tx: number;
  ty: number;
  /** The plot in CSS pixels, and device pixels per CSS pixel. */
  width: number;
  height: number;
  dpr: number;
  /** A dot's radius in CSS pixels. */
  radius: number;
  /** How many images are selected: with any, unselected points fade and selected ones grow and come on top; one alone grows most. */
  selected: number;
}

const VERTEX = `
attribute vec2 position;
attribute vec4 color;
attribute float flags;
uniform vec4 view;
uniform vec2 size;
uniform float radius;
uniform float dpr;
uniform float anySelected;
uniform float selectedScale;
uniform mediump float stroke;
varying vec4 vColor;
varying float vRing;
varying float vRadius;
varying float vSprite;
void main() {
  float selected = step(0.5, mod(floor(flags / 2.0), 2.0)) * anySelected;
  vRing = step(0.5, mod(flags, 2.0));
  vec2 px = position * view.xy + view.zw;
  // Selected points in front of the rest (the depth test), rings in front of dots.
  float z = 0.5 - 0.4 * selected - 0.05 * vRing;
  gl_Position = vec4(px.x / size.x * 2.0 - 1.0, 1.0 - px.y / size.y * 2.0, z, 1.0);
  float r = radius * mix(1.0, selectedScale, selected);
  float alpha = anySelected > 0.5 && selected < 0.5 ? 0.18 : 0.9;
  vColor = vec4(color.rgb, alpha);
  vRadius = r * dpr;
  // The sprite just holds the dot, or the ring with its stroke: fewer fragments to shade.
  vSprite = 2.0 * r * dpr + 1.0 + vRing * stroke;
  gl_PointSize = vSprite;
}`;

const FRAGMENT = `
precision mediump float;
varying vec4 vColor;
varying float vRing;
varying float vRadius;
varying float vSprite;
uniform float stroke;
void main() {
  float d = length(gl_PointCoord - 0.5) * vSprite;
  float dot = 1.0 - smoothstep(vRadius - 0.5, vRadius + 0.5, d);
  float ring = 1.0 - smoothstep(stroke * 0.5 - 0.5, stroke * 0.5 + 0.5, abs(d - vRadius));
  float a = vColor.a * mix(dot, ring, vRing);
  if (a < 0.01) discard;
  gl_FragColor = vec4(vColor.rgb * a, a);
}`;

export class GlPoints {
  private count = 0;

  /** The points each draw call draws: every position uploaded. */
  get pointCount(): number {
    return this.count;
  }
  private readonly buffers: { position: WebGLBuffer; color: WebGLBuffer; flags: WebGLBuffer };
  private readonly uniforms: Record<
    "view" | "size" | "radius" | "dpr" | "anySelected" | "selectedScale" | "stroke",
    WebGLUniformLocation | null
  >;

  private constructor(
    private readonly gl: WebGLRenderingContext,
    private readonly program: WebGLProgram,
  ) {
    this.buffers = { position: gl.createBuffer(), color: gl.createBuffer(), flags: gl.createBuffer() };
    const at = (name: string) => gl.getUniformLocation(program, name);
    this.uniforms = {
      view: at("view"),
      size: at("size"),
      radius: at("radius"),
      dpr: at("dpr"),
      anySelected: at("anySelected"),
      selectedScale: at("selectedScale"),
      stroke: at("stroke"),
    };
  }

  /** The layer on `canvas`, or null where the browser has no WebGL (the map then draws on a 2-D canvas). */
  static create(canvas: HTMLCanvasElement): GlPoints | null {
    const gl = canvas.getContext("webgl", { antialias: false, depth: true, premultipliedAlpha: true, alpha: true });
    if (!gl) return null;
    const program = linkProgram(gl);
    return program ? new GlPoints(gl, program) : null;
  }

  /** Each point's UMAP position, [x0, y0, x1, y1, ...]. */
  setPositions(xy: Float32Array): void {
    this.count = xy.length / 2;
    this.upload(this.buffers.position, xy);
  }

  /** Each point's colour, 4 bytes (red, green, blue, unused). */
  setColors(rgba: Uint8Array): void {
    this.upload(this.buffers.color, rgba);
  }

  /** Each point's INJECTED and SELECTED bits. */
  setFlags(flags: Uint8Array): void {
    this.upload(this.buffers.flags, flags);
  }

  draw(f: GlFrame): void {
    const { gl, program, uniforms, buffers } = this;
    const width = Math.round(f.width * f.dpr);
    const height = Math.round(f.height * f.dpr);
    gl.viewport(0, 0, width, height);
    gl.clearColor(0, 0, 0, 0);
    gl.clearDepth(1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    gl.depthFunc(gl.LEQUAL);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.useProgram(program);
    gl.uniform4f(uniforms.view, f.sx, f.sy, f.tx, f.ty);
    gl.uniform2f(uniforms.size, f.width, f.height);
    gl.uniform1f(uniforms.radius, f.radius);
    gl.uniform1f(uniforms.dpr, f.dpr);
    gl.uniform1f(uniforms.anySelected, f.selected > 0 ? 1 : 0);
    gl.uniform1f(uniforms.selectedScale, selectedScale(f.selected));
    gl.uniform1f(uniforms.stroke, (f.radius > 2 ? 1.5 : 1.1) * f.dpr);
    this.attribute("position", buffers.position, 2, gl.FLOAT, false);
    this.attribute("color", buffers.color, 4, gl.UNSIGNED_BYTE, true);
    this.attribute("flags", buffers.flags, 1, gl.UNSIGNED_BYTE, false);
    gl.drawArrays(gl.POINTS, 0, this.count);
  }

  /** Frees the context at once (a view rebuilt for another epoch or file): chromium keeps only 16 alive. */
  dispose(): void {
    this.gl.getExtension("WEBGL_lose_context")?.loseContext();
  }

  private upload(buffer: WebGLBuffer, data: ArrayBufferView): void {
    this.gl.bindBuffer(this.gl.ARRAY_BUFFER, buffer);
    this.gl.bufferData(this.gl.ARRAY_BUFFER, data, this.gl.DYNAMIC_DRAW);
  }

  private attribute(name: string, buffer: WebGLBuffer, size: number, type: number, normalized: boolean): void {
    const { gl } = this;
    const at = gl.getAttribLocation(this.program, name);
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.enableVertexAttribArray(at);
    gl.vertexAttribPointer(at, size, type, normalized, 0, 0);
  }
}

function linkProgram(gl: WebGLRenderingContext): WebGLProgram | null {
  const program = gl.createProgram();
  for (const [type, source] of [
    [gl.VERTEX_SHADER, VERTEX],
    [gl.FRAGMENT_SHADER, FRAGMENT],
  ] as const) {
    const shader = gl.createShader(type);
    if (!shader) return null;
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  // A context lost or a driver that cannot compile these: the 2-D canvas draws instead.
  return gl.getProgramParameter(program, gl.LINK_STATUS) ? program : null;
}

// A signature drawn on a <canvas> with a finger, a stylus or a mouse (pointer events).
// Reusable: const pad = new PostOpsSignaturePad(canvas); pad.isEmpty(); pad.clear();
// pad.toBlob() → Promise<Blob> (PNG). The canvas keeps its drawing buffer at the size set in
// its width/height attributes, so the PNG has the same size on every phone; CSS only scales
// it. No inline style (CSP): the stylesheet gives .signature-pad `touch-action: none`, so
// drawing does not scroll the page.
(function () {
  "use strict";

  class SignaturePad {
    constructor(canvas, options) {
      this.canvas = canvas;
      this.ctx = canvas.getContext("2d");
      this.lineWidth = (options && options.lineWidth) || 3;
      this.strokes = 0;
      this.drawing = false;
      this.last = null;
      this.onChange = (options && options.onChange) || function () {};
      this.reset();
      canvas.addEventListener("pointerdown", this.down.bind(this));
      canvas.addEventListener("pointermove", this.move.bind(this));
      canvas.addEventListener("pointerup", this.up.bind(this));
      canvas.addEventListener("pointercancel", this.up.bind(this));
      canvas.addEventListener("pointerleave", this.up.bind(this));
    }

    reset() {
      const ctx = this.ctx;
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
      ctx.strokeStyle = "#102a43";
      ctx.lineWidth = this.lineWidth;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
    }

    point(event) {
      const rect = this.canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - rect.left) * this.canvas.width) / rect.width,
        y: ((event.clientY - rect.top) * this.canvas.height) / rect.height,
      };
    }

    down(event) {
      event.preventDefault();
      if (this.canvas.setPointerCapture) {
        try { this.canvas.setPointerCapture(event.pointerId); } catch (err) { /* synthetic */ }
      }
      this.drawing = true;
      this.last = this.point(event);
      this.ctx.beginPath();
      this.ctx.arc(this.last.x, this.last.y, this.lineWidth / 2, 0, Math.PI * 2);
      this.ctx.fillStyle = this.ctx.strokeStyle;
      this.ctx.fill();
      this.strokes += 1;
      this.onChange(this);
    }

    move(event) {
      if (!this.drawing) return;
      event.preventDefault();
      const p = this.point(event);
      this.ctx.beginPath();
      this.ctx.moveTo(this.last.x, this.last.y);
      this.ctx.lineTo(p.x, p.y);
      this.ctx.stroke();
      this.last = p;
    }

    up() {
      this.drawing = false;
      this.last = null;
    }

    isEmpty() {
      return this.strokes === 0;
    }

    clear() {
      this.strokes = 0;
      this.reset();
      this.onChange(this);
    }

    toBlob() {
      const canvas = this.canvas;
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
    }
  }

  window.PostOpsSignaturePad = SignaturePad;
})();

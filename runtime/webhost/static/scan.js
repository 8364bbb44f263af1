// Scanning a QR code: upload a picture (always), or point the camera where
// the browser has BarcodeDetector and getUserMedia (Chrome on Android,
// macOS, ChromeOS; not desktop Linux or Firefox).
//
// Either way the server decodes the picture (POST /api/scan) and says
// whether the code launches a program, so a camera scan and an upload take
// the same path and the same checks.

import { el, api, nextId } from "./util.js";
import { t } from "./i18n.js";

export class Scanner {
  /**
   * @param {object} parts
   *   scanButton, cameraButton, input   elements from index.html
   *   onResult({text, format, target})  a decoded code
   *   onError(message)
   */
  constructor({ scanButton, cameraButton, input, onResult, onError }) {
    this.input = input;
    this.onResult = onResult;
    this.onError = onError;
    scanButton.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      input.value = ""; // so choosing the same picture again scans again
      if (file) this.scan(file);
    });
    this.setUpCamera(cameraButton);
  }

  /** Send a picture to the server's decoder. */
  async scan(blob, localText) {
    const form = new FormData();
    form.append("image", blob, blob.name || "scan.png");
    try {
      this.onResult(await api("/api/scan", { body: form }));
    } catch (error) {
      // The camera already read the code: a frame the server cannot decode
      // (motion blur) still gives the user the text; a capsule:// address is
      // still opened, and the server checks it on `open` as it would anyway.
      if (localText) this.onResult({ text: localText, format: "qr_code", target: localText.startsWith("capsule://") ? {} : null });
      else this.onError(error.message || t("scan.unreadable"));
    }
  }

  async setUpCamera(button) {
    if (!button || !("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (!formats.includes("qr_code")) return;
    } catch {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", () => this.camera());
  }

  /** A dialog with the camera's picture; closes on the first code it sees. */
  async camera() {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (error) {
      this.onError(t("scan.noCamera", { message: error.message }));
      return;
    }
    const headingId = nextId("camera-title");
    const video = el("video", { className: "camera-video", muted: true, playsInline: true, autoplay: true });
    video.setAttribute("aria-label", t("scan.cameraPicture"));
    video.srcObject = stream;
    const stop = el("button", { type: "button", className: "btn btn-secondary", textContent: t("dialog.cancel") });
    const dialog = el(
      "dialog",
      { className: "dialog camera-dialog", "aria-labelledby": headingId },
      el("h2", { className: "dialog-title", id: headingId, textContent: t("scan.pointCamera") }),
      video,
      el("div", { className: "dialog-actions" }, stop),
    );
    let running = true;
    const finish = () => {
      running = false;
      for (const track of stream.getTracks()) track.stop();
      if (dialog.open) dialog.close();
      dialog.remove();
    };
    stop.addEventListener("click", finish);
    dialog.addEventListener("close", finish);
    document.body.append(dialog);
    dialog.showModal();
    stop.focus();

    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!running || video.readyState < 2) continue;
      let codes = [];
      try {
        codes = await detector.detect(video);
      } catch {
        continue;
      }
      if (codes.length === 0 || !running) continue;
      const frame = await snapshot(video);
      finish();
      if (frame) await this.scan(frame, codes[0].rawValue);
      else this.onResult({ text: codes[0].rawValue, format: "qr_code", target: null });
    }
  }
}

function snapshot(video) {
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

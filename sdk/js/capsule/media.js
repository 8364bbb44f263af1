// Photos and videos the user picks; bytes read in bounded chunks (base64 text).
import { call } from "./_bindings.js";
import { U32, oneOf, plain, text, u64, whole } from "./_checks.js";

/** The user chooses up to `maxCount` files of `kind` ("image", "video", "any"). */
export function pick(kind = "image", maxCount = 1) {
  return plain(call("media", "pick", oneOf(kind, ["image", "video", "any"], "kind"), whole(maxCount, "maxCount", U32)));
}
/** At most `length` bytes of the cleaned file from `offset`, as base64 text. */
export function read(handle, offset = 0, length = 65536) {
  return String(call("media", "read", text(handle, "handle"), u64(offset, "offset"), whole(length, "length", U32)));
}
/** A reduced copy whose longer edge is at most `maxEdge` pixels, as a new handle. */
export function thumbnail(handle, maxEdge = 256) {
  return plain(call("media", "thumbnail", text(handle, "handle"), whole(maxEdge, "maxEdge", U32)));
}
/** Store the cleaned file in the host's media store: {url, digest, sizeBytes}. */
export function upload(handle) {
  return plain(call("media", "upload", text(handle, "handle")));
}

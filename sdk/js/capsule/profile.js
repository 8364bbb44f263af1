// Who the user is, as far as this program may know.
import { call } from "./_bindings.js";
import { plain } from "./_checks.js";

/** A pseudonymous id: stable for this program, different in every other one. */
export const userId = () => String(call("profile", "userId"));
/** {nickname, avatarUrl, locale}; asks consent (scope `profile`) the first time. */
export const getProfile = () => plain(call("profile", "getProfile"));
/** The user's phone number; asks consent (scope `profile.phone`) on every call. */
export const phoneNumber = () => String(call("profile", "phoneNumber"));

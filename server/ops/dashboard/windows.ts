import { z } from "zod";
import { WINDOW_KEYS, type WindowKey } from "../../../shared/windows";

/** The dashboard and report windows (shared/windows.ts), and the input schema procedures take them with. */
export { WINDOWS, type WindowKey } from "../../../shared/windows";
export const windowKey = z.enum(WINDOW_KEYS as [WindowKey, ...WindowKey[]]);

// TypeScript declarations of Capsule's JavaScript SDK: `require("capsule")`.
// Editors complete and check calls with them; see docs/javascript.md.

/** A view node: plain data following view.schema.json. */
export interface ViewNode { type: string; [field: string]: unknown }

/** Event data: form values or a button's data. */
export type EventData = Record<string, unknown>;

/** `this` inside a page's functions. */
export interface PageContext<State> {
  readonly name: string;
  readonly app: App;
  readonly query: Record<string, string>;
  data: State;
  navigate(page: string, query?: Record<string, string>): void | Promise<void>;
  back(): void;
}

export interface PageDefinition<State extends object = Record<string, unknown>> {
  /** The initial state, copied per opening, or a function returning it. */
  data?: State | ((this: PageContext<State>, query: Record<string, string>) => State);
  onLoad?(this: PageContext<State>, query: Record<string, string>): void | Promise<void>;
  onShow?(this: PageContext<State>): void | Promise<void>;
  onHide?(this: PageContext<State>): void | Promise<void>;
  render(this: PageContext<State>): ViewNode;
  /** The only functions a view's events can call. */
  handlers?: Record<string, (this: PageContext<State>, data: EventData) => void | Promise<void>>;
  [helper: string]: unknown;
}

/** The program: its pages and the stack of open ones. Make exactly one. */
export class App {
  static current: App | null;
  readonly scene: string;
  readonly launchQuery: Record<string, string>;
  page<State extends object>(name: string, definition: PageDefinition<State> & ThisType<PageContext<State>>): this;
  navigate(name: string, query?: Record<string, string>): void | Promise<void>;
  back(): void;
}

export class CapabilityError extends Error {}
export class Refused extends CapabilityError {}
export class NotDeclared extends CapabilityError {}
export class LimitExceeded extends CapabilityError {}
export class Unavailable extends CapabilityError {}
export class InvalidArgument extends CapabilityError {}
export class PaymentCancelled extends CapabilityError {}
export class PaymentDeclined extends CapabilityError {}
export class PaymentConflict extends CapabilityError {}

export namespace view {
  type Style = "primary" | "secondary" | "danger";
  function page(title: string, ...children: ViewNode[]): ViewNode;
  function column(children: ViewNode[], options?: { gap?: number }): ViewNode;
  function row(children: ViewNode[], options?: { gap?: number }): ViewNode;
  function text(value: unknown, style?: "body" | "title" | "subtitle" | "caption" | "error"): ViewNode;
  function image(src: string, alt: string, options?: { width?: number; height?: number }): ViewNode;
  function button(label: string, handler: string, data?: EventData, options?: { style?: Style; disabled?: boolean }): ViewNode;
  function input(name: string, label: string, options?: { kind?: string; value?: string; placeholder?: string; handler?: string }): ViewNode;
  function form(handler: string, children: ViewNode[], options?: { submitLabel?: string }): ViewNode;
  function list(items: ViewNode[], handler?: string): ViewNode;
  function divider(): ViewNode;
  function spacer(): ViewNode;
  /** `amount` in minor units of `currency` (ISO 4217). */
  function price(amount: number, currency: string, label?: string): ViewNode;
  function qr(text: string, label?: string): ViewNode;
  function mapPin(latitude: number, longitude: number, label: string): ViewNode;
}

export namespace ui {
  function toast(message: string, kind?: "info" | "success" | "warning" | "error"): void;
  function modal(title: string, message: string, options?: { confirm?: string; cancel?: string | null }): boolean;
  function sleep(milliseconds: number): void;
}

export namespace log {
  function debug(message: unknown): void;
  function info(message: unknown): void;
  function warn(message: unknown): void;
  function error(message: unknown): void;
}

export namespace storage {
  interface QuotaUsage { readonly usedBytes: number; readonly quotaBytes: number; readonly keys: number }
  function get(key: string, fallback?: string | null): string | null;
  function set(key: string, value: string): void;
  function remove(key: string): boolean;
  function keys(prefix?: string): string[];
  function usage(): QuotaUsage;
  function getJSON<T = unknown>(key: string, fallback?: T): T;
  function setJSON(key: string, value: unknown): void;
}

export namespace payments {
  interface LineItem { name: string; quantity: number; unitAmount: number }
  interface Receipt {
    readonly transactionId: string; readonly orderId: string; readonly amount: number; readonly currency: string;
    readonly paidAt: number; readonly payload: string; readonly signature: string;
  }
  interface Order {
    readonly orderId: string; readonly transactionId: string; readonly amount: number; readonly refunded: number;
    readonly currency: string; readonly state: "paid" | "partially-refunded" | "refunded";
  }
  interface RefundReceipt {
    readonly refundId: string; readonly orderId: string; readonly amount: number; readonly currency: string;
    readonly refundedAt: number; readonly payload: string; readonly signature: string;
  }
  interface Envelope {
    readonly envelopeId: string; readonly total: number; readonly currency: string; readonly shares: number;
    readonly claimed: number; readonly expiresAt: number;
  }
  function requestPayment(request: { orderId: string; amount: number; currency: string; description?: string; items?: LineItem[] }): Receipt;
  function queryOrder(orderId: string): Order | null;
  function refund(orderId: string, refundId: string, amount: number, reason?: string): RefundReceipt;
  function transfer(toUser: string, amount: number, currency: string, note?: string): Receipt;
  function createRedEnvelope(total: number, currency: string, shares: number, options?: { note?: string; expiresInSeconds?: number }): Envelope;
  function claimRedEnvelope(envelopeId: string): number;
}

export namespace profile {
  interface UserProfile { readonly nickname: string; readonly avatarUrl: string; readonly locale: string }
  function userId(): string;
  function getProfile(): UserProfile;
  function phoneNumber(): string;
}

export namespace location {
  interface Position {
    readonly latitude: number; readonly longitude: number; readonly accuracyMeters: number;
    readonly datum: "wgs84" | "gcj02"; readonly precision: "fuzzy" | "precise"; readonly measuredAt: number;
  }
  function getPosition(options?: { precise?: boolean; datum?: "wgs84" | "gcj02" }): Position;
}

export namespace media {
  interface MediaInfo {
    readonly handle: string; readonly mimeType: string; readonly sizeBytes: number;
    readonly width: number; readonly height: number; readonly durationMs: number;
  }
  interface Uploaded { readonly url: string; readonly digest: string; readonly sizeBytes: number }
  function pick(kind?: "image" | "video" | "any", maxCount?: number): MediaInfo[];
  /** Base64 of at most `length` bytes from `offset`. */
  function read(handle: string, offset?: number, length?: number): string;
  function thumbnail(handle: string, maxEdge?: number): MediaInfo;
  function upload(handle: string): Uploaded;
}

export namespace qr {
  interface LaunchTarget { readonly appId: string; readonly page: string; readonly scene: string; readonly params: Record<string, string> }
  interface ScanResult { readonly text: string; readonly format: "qr" | "ean13" | "code128"; readonly target: LaunchTarget | null }
  interface Code { readonly address: string; readonly image: string }
  function makeCode(appId: string, page: string, params?: Record<string, string>, options?: { format?: "png" | "svg"; size?: number }): Code;
  function scan(): ScanResult;
  function decode(imageBase64: string): ScanResult;
}

export namespace network {
  interface Response { readonly status: number; readonly headers: ReadonlyArray<[string, string]>; readonly body: string; json(): unknown }
  function fetch(url: string, options?: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number }): Response;
}

export namespace messages {
  function subscribe(templateIds: string[]): Record<string, "refused" | "once" | "always">;
  function follow(): boolean;
  function openChat(): void;
  function share(title: string, page: string, params?: Record<string, string>): boolean;
}

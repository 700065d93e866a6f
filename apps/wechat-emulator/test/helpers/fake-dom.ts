/** Just enough DOM for the emulator's page scripts (bridge.js, jweixin.js), run in a vm context. */
/** Elements with attributes, children, text and click listeners. */
export class FakeElement {
  attributes: Record<string, string> = {};
  children: FakeElement[] = [];
  parentNode: FakeElement | null = null;
  className = '';
  disabled = false;
  private text = '';
  private listeners: Array<() => void> = [];
  constructor(readonly tag: string) {}
  get textContent() {
    return this.text;
  }
  /** Like the DOM: setting the text replaces the children. */
  set textContent(value: string) {
    this.children = [];
    this.text = value;
  }
  setAttribute(name: string, value: string) {
    this.attributes[name] = value;
  }
  appendChild(child: FakeElement) {
    child.parentNode = this;
    this.children.push(child);
    return child;
  }
  removeChild(child: FakeElement) {
    this.children = this.children.filter((c) => c !== child);
    child.parentNode = null;
  }
  addEventListener(_type: string, fn: () => void) {
    this.listeners.push(fn);
  }
  click() {
    this.listeners.forEach((fn) => fn());
  }
  find(testId: string): FakeElement | undefined {
    return this.findWhere((e) => e.attributes['data-testid'] === testId);
  }
  findWhere(match: (e: FakeElement) => boolean): FakeElement | undefined {
    if (match(this)) return this;
    for (const c of this.children) {
      const hit = c.findWhere(match);
      if (hit) return hit;
    }
    return undefined;
  }
}

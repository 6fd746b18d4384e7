// A practice's brand colour, made safe to use: CSP forbids inline style attributes, but
// a module may set CSS custom properties through the CSSOM. The colour is darkened until
// white text on it (and it as text on white) reaches WCAG AA contrast (4.5:1).

const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

function parse(hex) {
  let value = hex.replace("#", "");
  if (value.length === 3) value = [...value].map((c) => c + c).join("");
  return [0, 2, 4].map((i) => parseInt(value.slice(i, i + 2), 16));
}

const toHex = (rgb) => "#" + rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");

function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

const WHITE = [255, 255, 255];

/** The colour, darkened to 5.2:1 against white (4.5:1 plus headroom for hover tints). */
export function accessibleShade(hex, target = 5.2) {
  let rgb = parse(hex);
  for (let i = 0; i < 40 && contrast(rgb, WHITE) < target; i++) rgb = rgb.map((c) => c * 0.92);
  return rgb;
}

/** Set --brand, --brand-dark and --brand-tint on :root from a practice's theme_color. */
export function applyTheme(themeColor) {
  if (typeof themeColor !== "string" || !HEX.test(themeColor.trim())) return;
  const brand = accessibleShade(themeColor.trim());
  const root = document.documentElement.style;
  root.setProperty("--brand", toHex(brand));
  root.setProperty("--brand-dark", toHex(brand.map((c) => c * 0.78)));
  // a very light tint for backgrounds behind dark text
  root.setProperty("--brand-tint", toHex(brand.map((c) => 255 - (255 - c) * 0.1)));
  const meta = document.querySelector('meta[name="theme-color"]');
  if (meta) meta.setAttribute("content", toHex(brand));
}

/** Set --accent and --on-accent from a practice's accent_color and the text colour identity
 * chose for it (black or white, whichever has the higher contrast; computed here too when
 * missing, so text on the accent always reaches WCAG AA). */
export function applyAccent(accentColor, textColor) {
  if (typeof accentColor !== "string" || !HEX.test(accentColor.trim())) return;
  const rgb = parse(accentColor.trim());
  const BLACK = [0, 0, 0];
  const text = HEX.test(textColor || "") ? parse(textColor)
    : (contrast(rgb, BLACK) >= contrast(rgb, WHITE) ? BLACK : WHITE);
  const root = document.documentElement.style;
  root.setProperty("--accent", toHex(rgb));
  root.setProperty("--on-accent", toHex(text));
}

/** Number formats shared by the table and the chart. */

export function thousands(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function ms(value: number): string {
  return value < 10 ? value.toFixed(1) : Math.round(value).toString();
}

export function seconds(millis: number): string {
  return `${(millis / 1000).toFixed(2)} s`;
}

export function ratio(a: number, b: number): string {
  return b > 0 ? `${(a / b).toFixed(2)}x` : "–";
}

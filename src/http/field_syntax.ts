/** RFC 9110 §5.1: a field name is a token. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 §5.5: a field value is visible ASCII, obs-text, space and tab; never CR, LF or NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Whether `name` may be a header name. */
export function isFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}

/** Whether `value` may be a header value (no line breaks: they would split the header). */
export function isFieldValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

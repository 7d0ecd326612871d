// Copied from accounts' adapter of the same name.
/**
 * Loads a package only when a deployment needs it (the AWS SDK with S3_BUCKET), typed by the caller with the slice of its API the adapter uses. A CommonJS package
 * seen through `import()` may put its exports on `default`; both shapes are accepted.
 */
export async function loadOptionalModule<T extends object>(name: string, neededFor: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(name)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${neededFor} is set but the ${name} package is not installed (npm install ${name} -w @market/listings)`, { cause: err });
  }
  const fallback = mod['default'];
  return (fallback && typeof fallback === 'object' ? { ...(fallback as object), ...mod } : mod) as T;
}

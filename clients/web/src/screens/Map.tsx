/**
 * A tile-free map: the results' coordinates projected (equirectangular, fitted to their bounding box)
 * onto an SVG, each a keyboard-focusable link to its listing. No tile server is needed.
 */
export interface MapPoint {
  id: string;
  label: string;
  latitude: number;
  longitude: number;
}

const W = 480;
const H = 320;
const PAD = 24;

export function ListingMap({ points }: { points: MapPoint[] }) {
  if (!points.length) return null;
  const lats = points.map((p) => p.latitude);
  const lons = points.map((p) => p.longitude);
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const spanLat = Math.max(maxLat - minLat, 0.01);
  const spanLon = Math.max(maxLon - minLon, 0.01);
  const scale = Math.min((W - 2 * PAD) / spanLon, (H - 2 * PAD) / spanLat);
  const x = (lon: number) => PAD + (lon - minLon) * scale + (W - 2 * PAD - spanLon * scale) / 2;
  const y = (lat: number) => H - PAD - (lat - minLat) * scale - (H - 2 * PAD - spanLat * scale) / 2;
  return (
    <svg className="map" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Map of ${points.length} listings`}>
      <rect x="0" y="0" width={W} height={H} rx="8" className="map-bg" />
      {points.map((p) => (
        <a key={p.id} href={`#/listing/${p.id}`} aria-label={p.label}>
          <circle cx={x(p.longitude)} cy={y(p.latitude)} r="7" className="map-pin">
            <title>{p.label}</title>
          </circle>
        </a>
      ))}
    </svg>
  );
}

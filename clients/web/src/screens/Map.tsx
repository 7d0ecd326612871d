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
  const centerLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const centerLon = (Math.min(...lons) + Math.max(...lons)) / 2;
  // A degree of longitude shrinks with the cosine of the latitude; at least ~2 km is shown.
  const stretch = Math.cos((centerLat * Math.PI) / 180);
  const spanLon = Math.max((Math.max(...lons) - Math.min(...lons)) * stretch, 0.02);
  const spanLat = Math.max(Math.max(...lats) - Math.min(...lats), 0.02);
  const scale = Math.min((W - 2 * PAD) / spanLon, (H - 2 * PAD) / spanLat);
  const x = (lon: number) => W / 2 + (lon - centerLon) * stretch * scale;
  const y = (lat: number) => H / 2 - (lat - centerLat) * scale;
  const kmPerPixel = 111 / scale;
  const barKm = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((km) => km / kmPerPixel >= 60) ?? 1000;
  return (
    <svg className="map" viewBox={`0 0 ${W} ${H}`} role="group" aria-label={`Map of ${points.length} listings`}>
      <rect x="0" y="0" width={W} height={H} rx="8" className="map-bg" />
      {[1, 2, 3].map((i) => (
        <g key={i} className="map-grid">
          <line x1={(W * i) / 4} y1="0" x2={(W * i) / 4} y2={H} />
          <line x1="0" y1={(H * i) / 4} x2={W} y2={(H * i) / 4} />
        </g>
      ))}
      <g className="map-scale" aria-hidden="true">
        <line x1={PAD} y1={H - 12} x2={PAD + barKm / kmPerPixel} y2={H - 12} />
        <text x={PAD} y={H - 18}>
          {barKm} km
        </text>
      </g>
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

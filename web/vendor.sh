#!/usr/bin/env bash
# Copy the front-end libraries kg serve uses from web/node_modules into kg/serve/static/vendor/
# (committed), so that neither users nor CI need npm: run `npm ci && ./vendor.sh` here after
# changing web/package.json, then commit package-lock.json and kg/serve/static/vendor/.
set -euo pipefail
cd "$(dirname "$0")"
nm=node_modules
out=../kg/serve/static/vendor
rm -rf "$out"
mkdir -p "$out"/{yasgui,vis-timeline,cytoscape,echarts}
cp "$nm/@zazuko/yasgui/build/yasgui.min.js" "$nm/@zazuko/yasgui/build/yasgui.min.css" "$out/yasgui/"
node -e 'const p=require("./node_modules/@zazuko/yasgui/package.json"); console.log(`${p.name} ${p.version}, license ${p.license} (no LICENSE file in the npm package; see ${p.repository && p.repository.url || p.homepage})`)' > "$out/yasgui/LICENSE"
cp "$nm/vis-timeline/standalone/umd/vis-timeline-graph2d.min.js" "$nm/vis-timeline/styles/vis-timeline-graph2d.min.css" \
   "$nm/vis-timeline/LICENSE.MIT.txt" "$nm/vis-timeline/LICENSE.Apache-2.0.txt" "$out/vis-timeline/"
cp "$nm/cytoscape/dist/cytoscape.min.js" "$nm/cytoscape/LICENSE" "$out/cytoscape/"
cp "$nm/echarts/dist/echarts.min.js" "$nm/echarts/LICENSE" "$out/echarts/"
# strip source-map references: the maps are not shipped
find "$out" -name '*.js' -o -name '*.css' | while read -r f; do sed -i -E 's@/[/*]# sourceMappingURL=[^ *]*( \*/)?$@@' "$f"; done
for pkg in @zazuko/yasgui vis-timeline cytoscape echarts; do
    node -e "const p=require('./node_modules/$pkg/package.json'); console.log(p.name + ' ' + p.version + ' (' + p.license + ')')"
done > "$out/VERSIONS"
cat "$out/VERSIONS"

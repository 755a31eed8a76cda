// The 3D orbit viewer of a GLB output, inside the output's sandboxed frame: parses the model
// from its data: URI (no network), lights it, frames it, and lets the worker orbit (drag or
// arrow keys), zoom (wheel or +/-) and pan. `body[data-state]` says loaded or failed.
import * as THREE from './vendor/three.module.min.js';
import { GLTFLoader } from './vendor/GLTFLoader.js';
import { OrbitControls } from './vendor/OrbitControls.js';

const canvas = document.getElementById('view');
const src = document.getElementById('model').dataset.src;
const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
renderer.outputColorSpace = THREE.SRGBColorSpace;
const scene = new THREE.Scene();
scene.background = new THREE.Color(0x1b2130);
scene.add(new THREE.HemisphereLight(0xffffff, 0x444455, 2.2));
const sun = new THREE.DirectionalLight(0xffffff, 2.0);
sun.position.set(3, 5, 4);
scene.add(sun);
const camera = new THREE.PerspectiveCamera(45, 1, 0.01, 1000);
const controls = new OrbitControls(camera, canvas);
controls.enableDamping = true;
controls.listenToKeyEvents(canvas);

function resize() {
  const w = canvas.clientWidth || 300, h = canvas.clientHeight || 300;
  renderer.setSize(w, h, false);
  camera.aspect = w / h;
  camera.updateProjectionMatrix();
}
window.addEventListener('resize', resize);
resize();

canvas.addEventListener('keydown', (e) => {
  if (e.key === '+' || e.key === '=') { controls.dollyIn?.(1.2); camera.position.multiplyScalar(1 / 1.2); }
  if (e.key === '-') { camera.position.multiplyScalar(1.2); }
});

function decode(uri) {
  const bin = atob(uri.slice(uri.indexOf(',') + 1));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

new GLTFLoader().parse(decode(src), '', (gltf) => {
  const model = gltf.scene;
  scene.add(model);
  const box = new THREE.Box3().setFromObject(model);
  const size = box.getSize(new THREE.Vector3()).length();
  const center = box.getCenter(new THREE.Vector3());
  controls.target.copy(center);
  camera.position.copy(center).add(new THREE.Vector3(0.9, 0.6, 1.2).multiplyScalar(size));
  camera.near = size / 100;
  camera.far = size * 100;
  camera.updateProjectionMatrix();
  // Textures decode asynchronously: report "loaded" once they have rendered.
  const textures = [];
  model.traverse((o) => { if (o.material?.map) textures.push(o.material.map); });
  const ready = () => textures.every((t) => t.image);
  const mark = () => { if (ready()) document.body.dataset.state = 'loaded'; else setTimeout(mark, 50); };
  mark();
}, (err) => {
  document.body.dataset.state = 'failed';
  document.body.dataset.error = String(err?.message || err);
});

renderer.setAnimationLoop(() => {
  controls.update();
  renderer.render(scene, camera);
});

# Builds the render-farm example's scene: a cube turning over 16 frames, 64×48 pixels,
# Cycles at 4 samples with a fixed seed, so each frame renders in a fraction of a second
# and renders the same pixels in any process.
#   blender -b --factory-startup --python-exit-code 1 --python make_scene.py -- /abs/cube.blend
import math
import os
import sys

import bpy

args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
out = os.path.abspath(args[0] if args else "cube.blend")
engine = args[1] if len(args) > 1 else "CYCLES"

bpy.ops.wm.read_factory_settings(use_empty=True)
scene = bpy.context.scene

bpy.ops.mesh.primitive_cube_add(size=1.6, location=(0, 0, 0))
cube = bpy.context.active_object
for frame, angle in ((1, 0), (16, 180)):
    cube.rotation_euler = (math.radians(20), 0, math.radians(angle))
    cube.keyframe_insert(data_path="rotation_euler", frame=frame)
bpy.ops.mesh.primitive_plane_add(size=10, location=(0, 0, -1.2))

camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
scene.collection.objects.link(camera)
camera.location = (0, -5, 1.5)
camera.rotation_euler = (math.radians(78), 0, 0)
scene.camera = camera

sun = bpy.data.objects.new("Sun", bpy.data.lights.new("Sun", type="SUN"))
sun.data.energy = 3.0
sun.rotation_euler = (math.radians(40), math.radians(20), 0)
scene.collection.objects.link(sun)
scene.world = bpy.data.worlds.new("World")

scene.frame_start, scene.frame_end = 1, 16
scene.render.engine = engine
scene.render.resolution_x, scene.render.resolution_y = 64, 48
scene.render.resolution_percentage = 100
scene.render.image_settings.file_format = "PNG"
if engine == "CYCLES":
    scene.cycles.samples = 4
    scene.cycles.use_denoising = False
    scene.cycles.seed = 0
    scene.cycles.use_animated_seed = False
    scene.cycles.device = "CPU"

bpy.ops.wm.save_as_mainfile(filepath=out)
print("SAVED_SCENE", out, engine)
